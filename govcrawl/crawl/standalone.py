"""`scrapy crawl annual_reports` as `govcrawl crawl` runs it: the archive's lock held, a run
recorded with its portals, and at the end the portals' verdicts, the search index, the wide
table and the captures' dictionaries brought up to date — so that what a plain Scrapy run
stores is found, counted and provable like any other run's.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def begin(crawler: Any, spider: Any) -> None:
    """Lock the archive and open the run (called when the spider is made, before the pipelines)."""
    from scrapy import signals

    from govcrawl.archive import raw, runs
    from govcrawl.archive.lock import ArchiveLock, CrawlLocked
    from pipelines.common import crawler_db

    lock = ArchiveLock(Path(crawler.settings.get("GOVCRAWL_DB")))
    try:
        lock.__enter__()
    except CrawlLocked as exc:
        sys.stderr.write(f"govcrawl: {exc}\n")
        raise SystemExit(3) from None
    crawler._govcrawl_lock = lock
    db = crawler_db(crawler)
    run_id, _ = runs.start_run(db, sorted(spider.portals), f"scrapy crawl {spider.name}")
    raw.record_portals(db, list(spider.portals.values()))
    crawler._govcrawl_run_id = run_id
    crawler.signals.connect(lambda spider, reason: end(crawler, spider, reason), signal=signals.spider_closed,
                            weak=False)


def end(crawler: Any, spider: Any, reason: str) -> None:
    """Close the run as `govcrawl crawl` does, and release the lock."""
    from govcrawl.crawl.counters import RUN_COUNTS, Count, from_stats
    from govcrawl.crawl.ending import close_run, run_status
    from pipelines.common import crawler_db

    db = crawler_db(crawler)
    run_id = crawler._govcrawl_run_id
    try:
        db.conn.commit()
        stats = {**crawler.stats.get_stats(), "finish_reason": reason}
        status = run_status(stats)
        close_run(db, run_id, sorted(spider.portals), status,
                  {**from_stats(stats, RUN_COUNTS), Count.PORTALS: len(spider.portals)})
        log.info("run %s %s", run_id, status)
    finally:
        crawler._govcrawl_lock.__exit__(None, None, None)


def run_id_of(crawler: Any) -> int | None:
    """The run the pages belong to: the one `govcrawl crawl` opened, or this module's."""
    return crawler.settings.getint("GOVCRAWL_RUN_ID") or getattr(crawler, "_govcrawl_run_id", None)
