"""Run a crawl into an archive, safely under cron: lock, run record, gone-marking, summary.

`govcrawl crawl` and `govcrawl demo` call :func:`run_crawl`; it owns the Twisted
reactor, so one process runs one crawl (tests run it in a subprocess).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcrawl.archive.runs import Verdict
from govcrawl.crawl.counters import RUN_COUNTS, WORKER_COUNTS, Count, from_stats
from govcrawl.crawl.ending import close_run, run_status
from govcrawl.registry import Portal


@dataclass
class RunResult:
    """How a crawl (``command`` crawl, demo or ingest) or a distributed worker ended."""

    status: str  # finished | incomplete (reason) | aborted (archive error: …)
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    command: str = "crawl"
    run_id: int | None = None  # the archive's run (a worker has none)
    portals: dict[str, Verdict] = field(default_factory=dict)  # each portal's verdict

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    @property
    def aborted(self) -> bool:
        return self.status.startswith("aborted")

    @property
    def short(self) -> dict[str, Verdict]:
        """The portals not read completely."""
        return {p: v for p, v in sorted(self.portals.items()) if not v.complete}

    def summary(self, where: object) -> str:
        """One line for the operator: what the run did, where it wrote, and which portals it
        could not read completely (and why)."""
        c = self.counts
        if self.run_id is None:  # a worker
            return (f"worker {self.status} in {self.seconds:.0f} s: {c.get(Count.HANDED_PAGES, 0)} pages and "
                    f"{c.get(Count.HANDED_LISTINGS, 0)} listing pages handed over, "
                    f"{c.get(Count.HANDED_ERRORS, 0)} errors, {c.get(Count.BYTES_DOWNLOADED, 0)} bytes downloaded; "
                    f"frontier {where}")
        line = (f"{self.command} run {self.run_id} {self.status} in {self.seconds:.0f} s: "
                f"{c.get(Count.PORTALS, 0)} portals, {c.get(Count.LISTING_PAGES, 0)} listing pages"
                f"{f' ({n} not read)' if (n := c.get(Count.LISTING_FAILURES, 0)) else ''}, "
                f"{c.get(Count.REPORT_FETCHES, 0)} report pages ({c.get(Count.NOT_MODIFIED, 0)} not modified), "
                f"{c.get(Count.ATTACHMENT_FETCHES, 0)} attachments, {c.get(Count.EXTRACTIONS, 0)} extractions, "
                f"{c.get(Count.NEW_REPORTS, 0)} new reports, {c.get(Count.NEW_VERSIONS, 0)} new versions, "
                f"{c.get(Count.GONE, 0)} gone, {c.get(Count.ERRORS, 0)} errors; archive {where}")
        short = self.short
        if short:
            named = [f"{p} {v.status} ({v.reason})" for p, v in list(short.items())[:MAX_NAMED]]
            more = f"; and {len(short) - MAX_NAMED} more (table portal_runs)" if len(short) > MAX_NAMED else ""
            line += f"\n{len(short)} of {len(self.portals)} portals not read completely (nothing of theirs " \
                    f"marked gone): " + "; ".join(named) + more
        return line


MAX_NAMED = 10  # portals named in a summary; the rest are in portal_runs
# Settings an environment variable of the same name overrides (govcrawl.crawl.settings).
ENV_SETTINGS = ("GOVCRAWL_EXTRACT_WORKERS", "GOVCRAWL_MAX_LISTING_PAGES", "GOVCRAWL_MAX_REQUESTS_PER_PORTAL",
                "GOVCRAWL_MAX_LINKS_PER_LISTING", "GOVCRAWL_RETRY_AFTER_MAX")


def run_spider(settings: Any, log_level: str, portals: list[Portal]) -> dict[str, Any]:
    """Run the spider over ``portals`` in this process's reactor (once per process); its stats."""
    from scrapy.crawler import CrawlerProcess

    from govcrawl.crawl.spiders.annual_reports import AnnualReportsSpider

    process = CrawlerProcess(settings)
    quiet_failures(log_level)
    crawler = process.create_crawler(AnnualReportsSpider)
    process.crawl(crawler, portals=portals)
    process.start()
    return crawler.stats.get_stats()


def quiet_failures(log_level: str) -> None:
    """Unless asked for detail (--verbose, --log-file), Scrapy's own account of a URL that
    failed — a traceback per retry given up — stays out of stderr: each failure is a row
    of the archive's errors, and the summary names the portals it left incomplete."""
    import logging

    if log_level != "INFO":
        for name in ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt",
                     "scrapy.core.scraper", "scrapy.core.engine"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


class ArchiveError(RuntimeError):
    """The archive cannot be opened or written (corrupt, read-only, disk full)."""


def crawl_settings(db_path: Path, run_id: int, proxy: str | None, fast: bool,
                   log_file: str | None, log_level: str,
                   per_domain: int | None = None, portals: list[Portal] = ()) -> dict[str, Any]:
    """The crawl's Scrapy settings: govcrawl.crawl.settings, this run's choices, and the
    portals' own overrides (a slower pace for a strict server)."""
    from scrapy.settings import Settings

    from govcrawl.registry import download_slots

    settings = Settings()
    settings.setmodule("govcrawl.crawl.settings", priority="project")
    overrides: dict[str, Any] = {"GOVCRAWL_DB": str(db_path), "GOVCRAWL_RUN_ID": run_id,
                                 "LOG_LEVEL": log_level, "TELNETCONSOLE_ENABLED": False}
    if proxy:
        overrides["GOVCRAWL_PROXY"] = proxy
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)  # cron's logs/ may not exist yet
        overrides["LOG_FILE"] = log_file
    if fast:  # a local server (the demo network): no politeness delays needed
        overrides.update({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "CONCURRENT_REQUESTS": 32,
                          "RETRY_TIMES": 1})
    if per_domain:
        overrides["CONCURRENT_REQUESTS_PER_DOMAIN"] = per_domain
    slots = download_slots(list(portals))
    if slots:
        overrides["DOWNLOAD_SLOTS"] = slots
    for name in ENV_SETTINGS:  # an operator's choice for one run, without editing settings.py
        if os.environ.get(name):
            overrides[name] = float(os.environ[name]) if name == "GOVCRAWL_RETRY_AFTER_MAX" else int(os.environ[name])
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawl(portals: list[Portal], db_path: Path, proxy: str | None = None, fast: bool = False,
              log_file: str | None = None, log_level: str = "WARNING",
              command: str = "crawl", per_domain: int | None = None,
              prepare: Callable[[], None] | None = None, progress: bool = False) -> RunResult:
    """Crawl ``portals`` into the archive at ``db_path`` (raises CrawlLocked, ArchiveError).

    The run ends ``finished`` when the crawl ran to its end (each portal then has its
    verdict: complete, incomplete, blocked or unreached), ``incomplete`` when it was
    stopped, ``aborted`` when the archive could not be written.  Nothing is marked gone
    unless the crawl finished, and then only what its complete portals prove gone.
    """
    import sqlite3

    from govcrawl.archive.lock import ArchiveLock

    with ArchiveLock(db_path):
        if prepare is not None:  # with the lock held: nothing else writes the archive meanwhile
            prepare()
        try:
            return _run_crawl(portals, db_path, proxy, fast, log_file, log_level, command, per_domain, progress)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{db_path}: {exc}") from None


def _run_crawl(portals: list[Portal], db_path: Path, proxy: str | None, fast: bool, log_file: str | None,
               log_level: str, command: str, per_domain: int | None, progress: bool = False) -> RunResult:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "govcrawl.crawl.settings")
    import sqlite3

    from govcrawl.archive import raw, runs
    from govcrawl.archive.schema import open_db

    db = open_db(str(db_path))
    run_id, _started = runs.start_run(db, [p.id for p in portals], command)
    raw.record_portals(db, portals)
    begin = time.perf_counter()
    settings = crawl_settings(db_path, run_id, proxy, fast, log_file, log_level, per_domain, portals)
    settings.set("GOVCRAWL_PROGRESS", progress, priority="cmdline")
    stats = run_spider(settings, log_level, portals)
    status = run_status(stats)
    archive_error = stats.get("govcrawl/archive_error")
    counts = {**from_stats(stats, RUN_COUNTS), Count.PORTALS: len(portals)}
    try:
        verdicts = close_run(db, run_id, [p.id for p in portals], status, counts)
    except sqlite3.DatabaseError as exc:
        # The archive failed while closing the run: the run stays 'running', and the next
        # run closes it as 'aborted' (what is stored is consistent: every page is a transaction).
        raise ArchiveError(f"{db_path}: {archive_error or exc}; run {run_id} not closed") from None
    if archive_error:
        raise ArchiveError(f"{db_path}: {archive_error}; run {run_id} closed as aborted")
    return RunResult(status, time.perf_counter() - begin, counts, "crawl", run_id, verdicts)


# --- distributed crawls (see govcrawl.crawl.distributed.frontier) ---------------------------------------------

def worker_settings(redis_url: str, prefix: str, proxy: str | None, fast: bool, log_file: str | None,
                    log_level: str, per_domain: int | None = None, lease_seconds: float | None = None,
                    portals: list[Portal] = ()):
    """A worker's settings: the frontier in Redis, pages handed over instead of stored."""
    settings = crawl_settings(Path(""), 0, proxy, fast, log_file, log_level, per_domain, portals)
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


def run_worker(redis_url: str, prefix: str, proxy: str | None = None, fast: bool = False,
               log_file: str | None = None, log_level: str = "WARNING", per_domain: int | None = None,
               wait_seconds: float = 60.0, lease_seconds: float | None = None) -> RunResult:
    """Crawl from the shared frontier until it is exhausted (raises DistributedError)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "govcrawl.crawl.settings")
    import warnings

    from scrapy.exceptions import ScrapyDeprecationWarning

    from govcrawl.crawl.distributed import frontier as distributed

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
    stats = run_spider(worker_settings(redis_url, prefix, proxy, fast, log_file, log_level, per_domain,
                                       lease_seconds, portals), log_level, portals)
    reason = stats.get("finish_reason", "unknown")
    return RunResult("finished" if reason == "finished" else f"incomplete ({reason})",
                     time.perf_counter() - begin, from_stats(stats, WORKER_COUNTS), "worker")
