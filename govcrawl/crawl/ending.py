"""How every run ends — `govcrawl crawl`, `govcrawl ingest` and a plain `scrapy crawl` alike:
its status from the crawl's stats, each portal's verdict, what is proven gone marked gone,
the derived tables brought up to date, the run closed with its counts."""

from __future__ import annotations

from typing import Any

from govcrawl.archive.runs import Verdict
from govcrawl.crawl.counters import Count


def run_status(stats: dict[str, Any]) -> str:
    """How a crawl ended, from its stats: finished, aborted (the archive failed) or incomplete."""
    reason = stats.get("finish_reason", "unknown")
    if reason == "finished":
        return "finished"
    archive_error = stats.get("govcrawl/archive_error")
    return f"aborted (archive error: {archive_error})" if archive_error else f"incomplete ({reason})"


def close_run(db: Any, run_id: int, portal_ids: list[str], status: str, counts: dict[str, int]) -> dict[str, Verdict]:
    """End of any run (govcrawl crawl, ingest, a plain scrapy crawl), even an incomplete one:
    each portal's verdict, and what the complete portals of a finished crawl prove gone
    marked gone; the index and summaries brought up to date; the run closed with ``counts``
    (the gone added); the pages freed given back.  Returns the verdicts."""
    from govcrawl.archive import runs, upkeep
    from govcrawl.clock import now_iso

    with db.conn:
        verdicts, gone = runs.close_portals(db, run_id, portal_ids, now_iso(), finished=status == "finished")
        upkept = upkeep.after_run(db)
    counts[Count.GONE] = sum(gone.values())
    runs.finish_run(db, run_id, status, counts)
    upkeep.reclaim(db, upkept)
    return verdicts
