"""Run a crawl into an archive, safely under cron: lock, run record, gone-marking, summary.

`govcrawl crawl` and `govcrawl demo` call :func:`run_crawl`; it owns the Twisted
reactor, so one process runs one crawl (tests run it in a subprocess).
"""

from __future__ import annotations

import fcntl
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcrawl.registry import Portal

EXIT_OK = 0
EXIT_INCOMPLETE = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3


class CrawlLocked(RuntimeError):
    """Another crawl is writing this archive."""


class ArchiveLock:
    """An exclusive, non-blocking lock beside the archive (released when the process dies)."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self.handle = None

    def __enter__(self) -> ArchiveLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise CrawlLocked(f"another crawl is writing {self.path.with_suffix('')} "
                              f"(pid {holder}); try again when it has finished") from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


@dataclass
class CrawlResult:
    run_id: int
    status: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    command: str = "crawl"  # or "ingest": the writer of a distributed crawl

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.status == "finished" else EXIT_INCOMPLETE

    def summary(self, db_path: Path) -> str:
        c = self.counts
        return (f"{self.command} run {self.run_id} {self.status} in {self.seconds:.0f} s: "
                f"{c.get('portals', 0)} portals, {c.get('listing_pages', 0)} listing pages, "
                f"{c.get('report_fetches', 0)} report pages ({c.get('not_modified', 0)} not modified), "
                f"{c.get('attachment_fetches', 0)} attachments, {c.get('extractions', 0)} extractions, "
                f"{c.get('new_reports', 0)} new reports, {c.get('new_versions', 0)} new versions, "
                f"{c.get('gone', 0)} gone, {c.get('errors', 0)} errors; archive {db_path}")


def crawl_settings(db_path: Path, run_id: int, proxy: str | None, fast: bool,
                   log_file: str | None, log_level: str,
                   per_domain: int | None = None) -> dict[str, Any]:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("govcrawl.crawl.settings", priority="project")
    overrides: dict[str, Any] = {"GOVCRAWL_DB": str(db_path), "GOVCRAWL_RUN_ID": run_id,
                                 "LOG_LEVEL": log_level, "TELNETCONSOLE_ENABLED": False}
    if proxy:
        overrides["GOVCRAWL_PROXY"] = proxy
    if log_file:
        overrides["LOG_FILE"] = log_file
    if fast:  # a local server (the demo network): no politeness delays needed
        overrides.update({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "CONCURRENT_REQUESTS": 32,
                          "RETRY_TIMES": 1})
    if per_domain:
        overrides["CONCURRENT_REQUESTS_PER_DOMAIN"] = per_domain
    if os.environ.get("GOVCRAWL_EXTRACT_WORKERS"):
        overrides["GOVCRAWL_EXTRACT_WORKERS"] = int(os.environ["GOVCRAWL_EXTRACT_WORKERS"])
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawl(portals: list[Portal], db_path: Path, proxy: str | None = None, fast: bool = False,
              log_file: str | None = None, log_level: str = "WARNING",
              command: str = "crawl", per_domain: int | None = None) -> CrawlResult:
    """Crawl ``portals`` into the archive at ``db_path`` (raises CrawlLocked)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "govcrawl.crawl.settings")
    from scrapy.crawler import CrawlerProcess

    from govcrawl import archive
    from govcrawl.crawl.spiders.annual_reports import AnnualReportsSpider

    with ArchiveLock(db_path):
        db = archive.open_db(str(db_path))
        run_id, started = archive.start_run(db, [p.id for p in portals], command)
        archive.record_portals(db, portals)
        begin = time.perf_counter()
        settings = crawl_settings(db_path, run_id, proxy, fast, log_file, log_level, per_domain)
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(AnnualReportsSpider)
        process.crawl(crawler, portals=portals)
        process.start()
        stats = crawler.stats.get_stats()
        reason = stats.get("finish_reason", "unknown")
        status = "finished" if reason == "finished" else f"incomplete ({reason})"
        gone = 0
        if status == "finished":
            with db.conn:
                gone = archive.mark_gone(db, run_id, sorted(crawler.spider.listings_ok), started,
                                         archive.now_iso())
        with db.conn:  # even after an incomplete run: the index follows what was stored
            archive.refresh_search(db)
        counts = {
            "portals": len(portals),
            "listing_pages": stats.get("govcrawl/spider/listing_pages_count", 0),
            "report_fetches": stats.get("govcrawl/store/report_fetches_count", 0),
            "attachment_fetches": stats.get("govcrawl/store/attachment_fetches_count", 0),
            "not_modified": stats.get("govcrawl/store/not_modified_count", 0),
            "extractions": stats.get("govcrawl/extract/extractions_count", 0),
            "not_reports": stats.get("govcrawl/store/not_report_count", 0),
            "new_reports": stats.get("govcrawl/store/new_report_count", 0),
            "new_versions": stats.get("govcrawl/store/new_version_count", 0),
            "errors": stats.get("govcrawl/store/errors_count", 0),
            "gone": gone,
            "bytes_downloaded": stats.get("downloader/response_bytes", 0),
            "requests": stats.get("downloader/request_count", 0),
        }
        archive.finish_run(db, run_id, status, counts)
        return CrawlResult(run_id, status, time.perf_counter() - begin, counts)


# --- distributed crawls (see govcrawl.crawl.distributed.frontier) ---------------------------------------------

def worker_settings(redis_url: str, prefix: str, proxy: str | None, fast: bool, log_file: str | None,
                    log_level: str, per_domain: int | None = None, lease_seconds: float | None = None):
    """A worker's settings: the frontier in Redis, pages handed over instead of stored."""
    settings = crawl_settings(Path(""), 0, proxy, fast, log_file, log_level, per_domain)
    settings.setdict({
        "GOVCRAWL_DB": None, "GOVCRAWL_RUN_ID": None,
        "GOVCRAWL_REDIS_URL": redis_url, "GOVCRAWL_REDIS_PREFIX": prefix,
        "SCHEDULER": "govcrawl.crawl.distributed.frontier.LeasingScheduler",
        "SCHEDULER_QUEUE_CLASS": "govcrawl.crawl.distributed.frontier.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:queue",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        "SCHEDULER_PERSIST": True,  # other workers are still crawling when this one leaves
        "REDIS_URL": redis_url,
        "REDIS_PARAMS": {"socket_connect_timeout": 5, "socket_timeout": 30},
        "ITEM_PIPELINES": {"pipelines.normalise.NormalisePipeline": 100,
                           "pipelines.extract.ExtractPipeline": 200,
                           "pipelines.dedupe.DedupePipeline": 300,
                           "pipelines.handoff.HandoffPipeline": 400},
        "EXTENSIONS": {"govcrawl.crawl.distributed.frontier.LeaseKeeper": 500},
        "GOVCRAWL_REDIS_LEASE": lease_seconds,
    }, priority="cmdline")
    return settings


@dataclass
class WorkerResult:
    status: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.status == "finished" else EXIT_INCOMPLETE

    def summary(self, redis_url: str) -> str:
        c = self.counts
        return (f"worker {self.status} in {self.seconds:.0f} s: {c.get('pages', 0)} pages and "
                f"{c.get('listings', 0)} listing pages handed over, {c.get('errors', 0)} errors, "
                f"{c.get('bytes_downloaded', 0)} bytes downloaded; frontier {redis_url}")


def run_worker(redis_url: str, prefix: str, proxy: str | None = None, fast: bool = False,
               log_file: str | None = None, log_level: str = "WARNING", per_domain: int | None = None,
               wait_seconds: float = 60.0, lease_seconds: float | None = None) -> WorkerResult:
    """Crawl from the shared frontier until it is exhausted (raises DistributedError)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "govcrawl.crawl.settings")
    import warnings

    from scrapy.crawler import CrawlerProcess
    from scrapy.exceptions import ScrapyDeprecationWarning

    from govcrawl.crawl.distributed import frontier as distributed
    from govcrawl.crawl.spiders.annual_reports import AnnualReportsSpider

    # scrapy-redis 0.9 calls APIs Scrapy 2.19 deprecates (Spider.log, spider= in stats):
    # harmless, and one line per request otherwise.
    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module=r"scrapy_redis")
    begin = time.perf_counter()
    server = distributed.connect(redis_url)
    keys = distributed.Keys(prefix)
    deadline = time.monotonic() + wait_seconds
    while not server.hget(keys.run, "seeded"):
        if time.monotonic() > deadline:
            raise distributed.DistributedError(
                f"no crawl to work on at {redis_url} (prefix {prefix!r}): start `govcrawl ingest` first")
        time.sleep(0.5)
    lease_seconds = lease_seconds or float(os.environ.get("GOVCRAWL_REDIS_LEASE") or 0) or None
    if lease_seconds:  # how long a killed worker's requests wait before going back to the queue
        distributed.LeasedQueue.lease_seconds = lease_seconds
    portals = distributed.load_portals(server, keys)
    process = CrawlerProcess(worker_settings(redis_url, prefix, proxy, fast, log_file, log_level, per_domain,
                                             lease_seconds))
    crawler = process.create_crawler(AnnualReportsSpider)
    process.crawl(crawler, portals=portals)
    process.start()
    stats = crawler.stats.get_stats()
    reason = stats.get("finish_reason", "unknown")
    counts = {"pages": stats.get("govcrawl/handoff/PageItem_count", 0),
              "listings": stats.get("govcrawl/handoff/ListingDone_count", 0),
              "errors": stats.get("govcrawl/handoff/ErrorItem_count", 0),
              "bytes_downloaded": stats.get("downloader/response_bytes", 0),
              "requests": stats.get("downloader/request_count", 0)}
    return WorkerResult("finished" if reason == "finished" else f"incomplete ({reason})",
                        time.perf_counter() - begin, counts)
