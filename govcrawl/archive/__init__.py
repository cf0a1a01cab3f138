"""The archive: SQLite, one writer, nothing lost.

- ``schema``   every table, column, index and view, with what it means; opening and
               migrating an archive (ordered steps on ``user_version``)
- ``raw``      what the crawl saw: captures (bytes once per sha256), fetches, errors,
               the registry entries crawled, validators for conditional requests
- ``runs``     crawl runs: opened, closed with their counts, aborted when killed
- ``identity`` which report a record is and which version (pure functions)
- ``versions`` what a fetched page does to the derived tables: reports, versions,
               sources, figures, conflicts, gone-marking
- ``fulltext`` the Chinese full-text index over each report's latest version
- ``replay``   ``reextract``: the derived tables rebuilt from the raw ones
- ``lock``     one writer per archive

Storage never reads pages: the crawl's pipelines and ``reextract`` give it what
extraction made of them.
"""
