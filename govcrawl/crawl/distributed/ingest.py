"""`govcrawl ingest`: the one process that writes the archive of a distributed crawl.

It opens (or, restarted, resumes) the run, publishes the archive's validators, seeds the
shared frontier from the registry, then writes the pages the workers hand over until the
frontier is exhausted, and closes the run as `govcrawl crawl` does: gone-marking, the
search index, the counts.  See govcrawl.crawl.distributed.frontier for the design.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from govcrawl.archive import raw, runs
from govcrawl.archive.lock import ArchiveLock
from govcrawl.archive.schema import open_db
from govcrawl.crawl.counters import RUN_COUNTS, Count
from govcrawl.crawl.distributed import frontier as distributed
from govcrawl.crawl.ending import close_run
from govcrawl.crawl.run import RunResult
from govcrawl.registry import Portal
from pipelines.store import store_page


def _spider_for_encoding(portals: list[Portal]):
    """Requests are stored as scrapy-redis stores them: serialised against a spider."""
    from govcrawl.crawl.spiders.annual_reports import AnnualReportsSpider

    return AnnualReportsSpider(portals=portals)


def seed(server, keys: distributed.Keys, portals: list[Portal]) -> int:
    """Put the registry's listing pages into the frontier (and the duplicate filter)."""
    from scrapy_redis.dupefilter import RFPDupeFilter

    spider = _spider_for_encoding(portals)
    queue = distributed.LeasedQueue(server, spider, keys.queue)
    seen = RFPDupeFilter(server, keys.dupefilter)
    count = 0
    for request in spider.start_requests():
        count += queue.push_unseen(request, seen.key, seen.request_fingerprint(request))
    return count


def run_ingest(portals: list[Portal], db_path: Path, redis_url: str, prefix: str = distributed.DEFAULT_PREFIX,
               idle_seconds: float = 10.0, log=print) -> RunResult:
    """Write a distributed crawl into the archive (raises CrawlLocked, DistributedError)."""
    import redis

    try:
        return _run_ingest(portals, db_path, redis_url, prefix, idle_seconds, log)
    except redis.RedisError as exc:
        # The archive stays consistent (each page is its own transaction) and the run
        # stays open: started again, the writer resumes it.
        raise distributed.DistributedError(f"lost Redis at {redis_url}: {exc}; the run is kept, "
                                           "start `govcrawl ingest` again to resume it") from None


def _run_ingest(portals: list[Portal], db_path: Path, redis_url: str, prefix: str, idle_seconds: float,
                log) -> RunResult:
    begin = time.perf_counter()
    server = distributed.connect(redis_url)
    keys = distributed.Keys(prefix)
    with ArchiveLock(db_path):
        db = open_db(str(db_path))
        run = {k.decode(): v.decode() for k, v in server.hgetall(keys.run).items()}
        if run.get("run_id") and db.execute("SELECT 1 FROM crawl_runs WHERE id = ?",
                                            [int(run["run_id"])]).fetchone():
            run_id, started = int(run["run_id"]), run["started"]
            with db.conn:
                db.execute("UPDATE crawl_runs SET status = 'running' WHERE id = ?", [run_id])
            log(f"resuming run {run_id} ({server.llen(keys.processing) + server.llen(keys.items)} pages waiting)")
        else:
            distributed.clear_crawl_state(server, keys)
            run_id, started = runs.start_run(db, [p.id for p in portals], "ingest")
            raw.record_portals(db, portals)
            distributed.publish_validators(server, keys, raw.validators(db), raw.known_attachments(db))
            distributed.publish_portals(server, keys, portals)
            seeded = seed(server, keys, portals)
            server.hset(keys.run, mapping={"run_id": run_id, "started": started, "seeded": 1,
                                           "portals": ",".join(p.id for p in portals)})
            log(f"run {run_id}: seeded {seeded} listing pages; start workers with "
                f"`govcrawl crawl --redis {redis_url}`")
        counts: Counter[str] = Counter()
        # What a killed writer was in the middle of: write it again unless it is written.
        while server.llen(keys.processing):
            _apply(db, server, keys, server.lindex(keys.processing, 0), run_id, counts)
        run_portals = sorted(filter(None, (server.hget(keys.run, "portals") or b"").decode().split(",")))
        quiet_since = None
        while True:
            data = server.blmove(keys.items, keys.processing, 1.0, "LEFT", "RIGHT")
            if data is not None:
                _apply(db, server, keys, data, run_id, counts)
                quiet_since = None
                continue
            distributed.requeue_expired(server, keys)
            waiting, leased = distributed.frontier_size(server, keys)
            if waiting or leased or server.llen(keys.items):
                quiet_since = None
                continue
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since < idle_seconds:
                continue
            if server.hget(keys.run, "confirmations") is None:
                asked = confirm_unlisted(db, server, keys, run_id, run_portals)
                log(f"run {run_id}: asked for {asked} sources the listings no longer lead to")
                quiet_since = None
                continue
            break
        # What the workers downloaded, as they reported it with their pages.
        downloaded = {count: int(server.hget(keys.run, count.value) or 0)
                      for count in (Count.BYTES_DOWNLOADED, Count.REQUESTS)}
        result_counts = {**{c.value: counts[c] for c in RUN_COUNTS}, Count.PORTALS: len(run_portals), **downloaded}
        verdicts = close_run(db, run_id, run_portals, "finished", result_counts)
        distributed.clear_crawl_state(server, keys)
        return RunResult("finished", time.perf_counter() - begin, result_counts, "ingest", run_id, verdicts)


def confirm_unlisted(db, server, keys: distributed.Keys, run_id: int, portal_ids: list[str]) -> int:
    """Put the confirmation requests of the complete portals into the frontier (what a
    single-process crawl's spider does when it runs out of work), then tell the workers."""
    from scrapy_redis.dupefilter import RFPDupeFilter

    portals = [p for p in distributed.load_portals(server, keys) if p.id in portal_ids]
    spider = _spider_for_encoding(portals)
    queue = distributed.LeasedQueue(server, spider, keys.queue)
    seen = RFPDupeFilter(server, keys.dupefilter)
    verdicts = runs.portal_verdicts(db, run_id, portal_ids)
    asked = 0
    for url, portal_id, kind, referer in runs.unlisted_sources(db, run_id, sorted(p for p, v in verdicts.items()
                                                                               if v.complete)):
        for request in spider.confirmation(url, portal_id, kind, referer):
            asked += queue.push_unseen(request, seen.key, seen.request_fingerprint(request))
    server.hset(keys.run, "confirmations", asked)
    return asked


def _apply(db, server, keys: distributed.Keys, data: bytes, run_id: int, counts: Counter) -> None:
    """Write one handed-over item exactly once, then drop it from the processing list."""
    item_id, item = distributed.decode_item(data)
    with db.conn:
        # Explicitly: store_page's savepoint would otherwise open the transaction itself and
        # commit the page at its RELEASE, before the page is marked ingested — a writer
        # killed in between would write the page twice.
        db.execute("BEGIN")
        if db.execute("SELECT 1 FROM ingested WHERE item_id = ?", [item_id]).fetchone():
            pass  # written before the writer was killed; only the list entry remained
        else:
            for count in store_page(db, item, run_id):
                counts[count] += 1
            if getattr(item, "reading", None) is not None:
                counts[Count.EXTRACTIONS] += 1
            db.execute("INSERT INTO ingested (item_id, run_id) VALUES (?, ?)", [item_id, run_id])
    server.lrem(keys.processing, 1, data)

