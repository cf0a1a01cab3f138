"""What the end of every run does to the archive, after the pages are stored: the full-text
index, the wide table and the dashboard's sums brought up to date, and new captures
compressed with their portal's dictionary (one trained where a portal has enough pages)."""

from __future__ import annotations

import sqlite_utils

from govcrawl.archive import fulltext, raw, schema, wide


def after_run(db: sqlite_utils.Database) -> dict[str, int]:
    """Inside the caller's transaction; returns what changed."""
    counts = {"indexed": fulltext.refresh(db), "placed": schema.place_reports(db), "wide": wide.refresh(db)}
    if counts["indexed"] * 10 >= db.execute("SELECT COUNT(*) FROM report_search").fetchone()[0] > 0:
        # Much of the index is new (a first crawl, a reextract): merge its segments into one,
        # which stores each token's list once (~5% smaller); a run that changed little
        # leaves that to FTS5's own merging.
        db.execute("INSERT INTO report_search_fts (report_search_fts) VALUES ('optimize')")
    counts.update(raw.compact_captures(db))
    return counts


def reclaim(db: sqlite_utils.Database, counts: dict[str, int] | None = None, pack: bool = False) -> None:
    """Give the pages a run freed back to the file system, outside any transaction.  After a
    run that rewrote much of the archive (a first crawl's captures recompressed with their
    new dictionaries; a reextract: ``pack``) the half-empty pages are packed too, by a
    VACUUM — skipped, with only the freed pages returned, while a reader holds the archive."""
    import sqlite3

    if db.conn.in_transaction:
        return
    captures = db.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
    rewritten = (counts or {}).get("rewritten", 0)
    if pack or (rewritten and rewritten * 5 >= captures):
        try:
            db.conn.execute("VACUUM")
            return
        except sqlite3.OperationalError:  # busy: a reader; the next big rewrite packs it
            pass
    db.conn.executescript("PRAGMA incremental_vacuum;")  # a script steps it to the end


def rebuild(db: sqlite_utils.Database) -> None:
    """After a reextract: the index and the derived summaries made afresh."""
    schema.recreate_index(db)
    fulltext.refresh(db)
    db.execute("INSERT INTO report_search_fts (report_search_fts) VALUES ('optimize')")
    schema.place_reports(db)
    wide.rebuild(db)
