"""Run `govcrawl` with one stage failing on one URL, with an exception no stage expects.

    python tests/inject.py STAGE URL crawl --registry … (the rest: govcrawl's arguments)

Stages: listing, report, attachment (the spider's callbacks), normalise, extract, dedupe,
store (the pipelines); and full, a disk that fills up once URL is stored.  Used by
test_hostile.py: whatever fails, the response must end in the archive as a row with the
reason.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class Injected(LookupError):
    """A failure of a type no stage expects."""


def install(stage: str, url: str) -> None:
    def failing(function, url_of):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            if url_of(*args, **kwargs) == url:
                raise Injected(f"injected into {stage}")
            return function(*args, **kwargs)
        return wrapper

    if stage == "listing":
        from govcrawl.crawl.cms.base import Family
        Family.read = failing(Family.read, lambda self, page_url, text: page_url)
    elif stage == "report":
        from govcrawl.crawl import discovery
        discovery.attachment_links = failing(discovery.attachment_links, lambda body, page_url, hosts=None: page_url)
    elif stage == "attachment":
        from govcrawl.crawl.spiders.annual_reports import AnnualReportsSpider
        AnnualReportsSpider._page = failing(AnnualReportsSpider._page,
                                            lambda self, response, kind, referer=None: response.url)
    elif stage == "normalise":
        import pipelines.normalise
        pipelines.normalise.sniff_media_type = failing(pipelines.normalise.sniff_media_type,
                                                       lambda body, page_url="": page_url)
    elif stage == "extract":
        from govcrawl.extract.pool import ExtractionPool
        original = ExtractionPool.extract

        async def extract(self, body, page_url, kind="report"):
            if page_url == url:
                raise Injected("injected into extract")
            return await original(self, body, page_url, kind)
        ExtractionPool.extract = extract
    elif stage == "dedupe":
        from govcrawl.archive.versions import Reading
        Reading.identify = failing(Reading.identify, lambda self, page_url: page_url)
    elif stage == "full":  # the disk fills up once URL's page is stored (SQLite's own page limit)
        import pipelines.common
        import pipelines.store

        original_store = pipelines.store.store_page

        def store_page(db, item, run_id):
            counts = original_store(db, item, run_id)
            if getattr(item, "url", None) == url:
                pages = db.execute("PRAGMA page_count").fetchone()[0]
                db.execute(f"PRAGMA max_page_count = {pages}")
            return counts
        pipelines.store.store_page = store_page
    elif stage == "store":
        import pipelines.store
        pipelines.store.apply_fetch = failing(pipelines.store.apply_fetch, lambda db, fetch, read: fetch.url)
    else:
        raise SystemExit(f"unknown stage {stage}")


if __name__ == "__main__":
    install(sys.argv[1], sys.argv[2])
    from govcrawl.cli import main

    main(sys.argv[3:])
