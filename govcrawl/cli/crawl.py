"""`govcrawl crawl`, `govcrawl ingest` (a distributed crawl's writer) and `govcrawl reextract`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from govcrawl.cli.common import Progress, db_option, open_to_write, quiet_option
from govcrawl.cli.errors import ArchiveFailed, BadInput, ExitCode, Locked, exit_with


def run_exit_code(result) -> ExitCode:
    """What cron sees: 0 only for a run that finished with every portal read completely."""
    if result.aborted:
        return ExitCode.ARCHIVE
    if not result.finished:
        return ExitCode.INCOMPLETE
    return ExitCode.PORTALS_INCOMPLETE if result.short else ExitCode.OK


@click.command("crawl")
@click.option("--portal", "portal_ids", multiple=True, help="Crawl only this portal (repeatable).")
@db_option
@click.option("--registry", "registry_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Portal registry (default: data/portals.yml of the project).")
@click.option("--proxy", default=None, help="Send every request through this HTTP proxy.")
@click.option("--log-file", default=None, help="Write the crawl log (INFO) to this file.")
@click.option("--verbose", is_flag=True, help="Log to stderr at INFO level.")
@click.option("--no-delay", is_flag=True,
              help="No politeness delays: only for a local mirror or the demo network.")
@click.option("--per-domain", type=click.IntRange(1, 64), default=None,
              help="Concurrent requests per domain (default 2; 8 with --no-delay).")
@click.option("--redis", "redis_url", envvar="GOVCRAWL_REDIS_URL", default=None,
              help="Work as one of several workers on the shared frontier at this Redis URL "
                   "(`govcrawl ingest` writes the archive). Also GOVCRAWL_REDIS_URL.")
@click.option("--redis-prefix", default="govcrawl", show_default=True, help="Redis key prefix of the crawl.")
@click.option("--wait", "wait_seconds", type=float, default=60.0, show_default=True,
              help="With --redis: how long to wait for `govcrawl ingest` to seed the crawl.")
@quiet_option
def crawl_command(portal_ids: tuple[str, ...], db_path: Path, registry_path: Path | None,
                  proxy: str | None, log_file: str | None, verbose: bool, no_delay: bool,
                  per_domain: int | None, redis_url: str | None, redis_prefix: str, wait_seconds: float,
                  quiet: bool) -> None:
    """Crawl registered portals into the archive; safe to run from cron.

    Exit codes: 0 finished with every portal read completely (per-URL errors are recorded
    in the archive), 1 the crawl did not run to its end, 2 bad usage or registry (or
    Redis unreachable), 3 another crawl is writing this archive, 4 finished but a portal
    was not read completely (blocked, unreached, a listing page failed, a limit reached;
    the summary names them), 5 the archive cannot be opened or written.

    Example: govcrawl crawl --portal 510522-hejiang --db data/archive.db --log-file logs/crawl.log
    """
    from govcrawl import registry
    from govcrawl.archive.lock import CrawlLocked
    from govcrawl.crawl.run import ArchiveError, run_crawl

    level = "INFO" if verbose or log_file else "WARNING"
    if redis_url:
        from govcrawl.crawl.distributed.frontier import DistributedError
        from govcrawl.crawl.run import run_worker

        try:
            worker = run_worker(redis_url, redis_prefix, proxy=proxy, fast=no_delay, log_file=log_file,
                                log_level=level, per_domain=per_domain, wait_seconds=wait_seconds)
        except DistributedError as exc:
            raise BadInput(str(exc)) from None
        _summary(worker.summary(redis_url), run_exit_code(worker), quiet)

    try:
        portals = registry.select(registry.load_registry(registry_path), list(portal_ids))
    except registry.RegistryError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        result = run_crawl(portals, db_path, proxy=proxy, fast=no_delay, log_file=log_file,
                           log_level=level, command="crawl " + " ".join(portal_ids),
                           per_domain=per_domain, progress=not quiet)
    except CrawlLocked as exc:
        raise Locked(str(exc)) from None
    except ArchiveError as exc:
        raise ArchiveFailed(f"archive error: {exc}") from None
    _summary(result.summary(db_path), run_exit_code(result), quiet)


def _summary(text: str, code: ExitCode, quiet: bool) -> None:
    """The run's summary — with --quiet, only when cron should hear of it (not exit 0)."""
    if not quiet or code != ExitCode.OK:
        click.echo(text)
    exit_with(code)


@click.command("ingest")
@click.option("--redis", "redis_url", envvar="GOVCRAWL_REDIS_URL", required=True,
              help="The Redis URL of the shared frontier (also GOVCRAWL_REDIS_URL).")
@click.option("--redis-prefix", default="govcrawl", show_default=True, help="Redis key prefix of the crawl.")
@click.option("--portal", "portal_ids", multiple=True, help="Crawl only this portal (repeatable).")
@db_option
@click.option("--registry", "registry_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Portal registry (default: data/portals.yml of the project).")
@click.option("--idle", "idle_seconds", type=float, default=10.0, show_default=True,
              help="Finish when the frontier has been empty this long.")
@quiet_option
def ingest_command(redis_url: str, redis_prefix: str, portal_ids: tuple[str, ...], db_path: Path,
                   registry_path: Path | None, idle_seconds: float, quiet: bool) -> None:
    """Seed a distributed crawl and write what its workers fetch: the archive's one writer.

    Start it next to the archive, then `govcrawl crawl --redis URL` on any number of
    machines.  Restarted after a crash, it resumes the same run.  Exit codes as `crawl`.

    Example: govcrawl ingest --redis redis://10.0.0.5:6379/0 --db data/archive.db
    """
    from govcrawl import registry
    from govcrawl.archive.lock import CrawlLocked
    from govcrawl.crawl.distributed.frontier import DistributedError
    from govcrawl.crawl.distributed.ingest import run_ingest

    try:
        portals = registry.select(registry.load_registry(registry_path), list(portal_ids))
    except registry.RegistryError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        result = run_ingest(portals, db_path, redis_url, redis_prefix, idle_seconds,
                            log=(lambda line: None) if quiet else (lambda line: click.echo(line, err=True)))
    except CrawlLocked as exc:
        raise Locked(str(exc)) from None
    except DistributedError as exc:
        raise BadInput(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise ArchiveFailed(f"archive error: {db_path}: {exc}; start `govcrawl ingest` again to resume") from None
    _summary(result.summary(db_path), run_exit_code(result), quiet)


@click.command("reextract")
@db_option
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="Processes reading pages ahead of the writes (default: one per core; 0: none).")
@quiet_option
def reextract_command(db_path: Path, workers: int | None, quiet: bool) -> None:
    """Rebuild every derived table from the archived raw pages (no network).

    Example: govcrawl reextract --db data/archive.db
    """
    import time

    from govcrawl.archive import upkeep
    from govcrawl.archive.lock import ArchiveLock, CrawlLocked
    from govcrawl.archive.replay import reextract
    from govcrawl.cli.common import missing_archive
    from govcrawl.extract.pool import PoolReader, default_workers

    if not db_path.is_file():
        raise missing_archive(db_path)
    start = time.perf_counter()
    progress = Progress("reextract: fetches replayed")
    try:
        with ArchiveLock(db_path):
            reader = PoolReader(default_workers(reserve=0) if workers is None else workers)
            db = open_to_write(db_path)
            counts = reextract(db, reader, progress=None if quiet else progress.advance)
            upkeep.reclaim(db, pack=True)  # every derived row was written again: pack the pages
    except CrawlLocked as exc:
        raise Locked(str(exc)) from None
    finally:
        progress.close()
    seconds = time.perf_counter() - start
    if not quiet:
        click.echo(f"reextracted {db_path}: {counts['fetches']} fetches replayed, {counts['extracted']} "
                   f"extractions, {counts['reports']} reports, {counts['versions']} versions in "
                   f"{seconds:.1f} s ({counts['extracted'] / max(seconds, 1e-9):.0f} extractions/s)")


@click.command("upgrade")
@db_option
@quiet_option
def upgrade_command(db_path: Path, quiet: bool) -> None:
    """Migrate an archive made by an older govcrawl to this one's schema, in place.

    Crawls and reextract migrate on their own; the read-only commands (search, export,
    chart, serve) never write, so an older archive is upgraded with this first.
    Example: govcrawl upgrade --db data/archive.db
    """
    from govcrawl.archive.lock import ArchiveLock, CrawlLocked
    from govcrawl.archive.schema import SCHEMA_VERSION
    from govcrawl.cli.common import missing_archive

    if not db_path.is_file():
        raise missing_archive(db_path)
    try:
        with ArchiveLock(db_path):
            before = _schema_version(db_path)
            open_to_write(db_path).conn.close()
    except CrawlLocked as exc:
        raise Locked(str(exc)) from None
    if not quiet:
        click.echo(f"{db_path}: schema {before} → {SCHEMA_VERSION}" if before != SCHEMA_VERSION
                   else f"{db_path}: already at schema {SCHEMA_VERSION}")


def _schema_version(db_path: Path) -> int:
    with sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


COMMANDS = (crawl_command, ingest_command, reextract_command, upgrade_command)
