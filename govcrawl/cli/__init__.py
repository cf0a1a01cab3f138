"""The ``govcrawl`` command line: a thin click shell over the library.

Library errors become one line on stderr and exit code 2; never a traceback
(set ``GOVCRAWL_DEBUG=1`` to see one).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from govcrawl.extract.errors import ExtractionError

EXIT_BAD_INPUT = 2
MAX_INPUT_BYTES = 64 * 1024 * 1024  # no report is larger; bigger files are refused unread


def _fail(path: str, reason: str) -> None:
    click.echo(f"govcrawl: {path}: {reason}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govcrawl")
def main() -> None:
    """Crawl, extract and archive government information-disclosure annual reports."""


@main.command("extract")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report record as JSON.")
@click.option("--media-type", default=None,
              help="Override the detected media type (text/html, text/plain).")
def extract_command(file: Path, as_json: bool, media_type: str | None) -> None:
    """Extract the report record from one file (HTML, text, PDF or DOCX).

    Example: govcrawl extract report.html --json
    """
    from govcrawl.extract.record import extract_bytes

    try:
        size = file.stat().st_size
        if size > MAX_INPUT_BYTES:
            _fail(str(file), f"file too large ({size} bytes > {MAX_INPUT_BYTES})")
        data = file.read_bytes()
    except OSError as exc:
        _fail(str(file), f"cannot read ({exc.strerror or exc})")
    try:
        record = extract_bytes(data, str(file), media_type)
    except ExtractionError as exc:
        _fail(str(file), exc.reason)
    except RecursionError:
        _fail(str(file), "markup nested too deeply")
    except MemoryError:
        _fail(str(file), "too large to process")
    except Exception as exc:  # a bug must not become a traceback for the user
        if os.environ.get("GOVCRAWL_DEBUG"):
            raise
        _fail(str(file), f"internal error ({type(exc).__name__}: {exc})")
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        click.echo(summary(record))


def summary(record: dict[str, Any]) -> str:
    """A readable digest of a record: who, when, which template, key figures, failed checks."""
    m = record["metrics"]
    contact = record["contact"]

    def fig(key: str) -> str:
        value = m.get(key)
        return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    counts: dict[str, int] = {}
    for cell in record["cells"]:
        counts[cell["table"]] = counts.get(cell["table"], 0) + 1
    statuses = {"pass": 0, "fail": 0, "not_assessable": 0}
    for check in record["checks"]:
        statuses[check["status"]] += 1
    contact_parts = [f"{k} {v}" for k, v in contact.items() if v and k != "agency"]
    lines = [
        f"file       {record['source']['path']} ({record['source']['media_type']})",
        f"title      {record['title'] or '—'}",
        f"agency     {record['agency'] or '—'}",
        f"year       {record['year'] or '—'}   template {record['template'] or '—'}",
        f"period     {record['period_start'] or '?'} – {record['period_end'] or '?'}"
        f"   published {record['published'] or '—'}",
        f"contact    {contact['agency'] or '—'}" + (f" ({'; '.join(contact_parts)})"
                                                    if contact_parts else ""),
        f"requests   new {fig('requests.new.total')} · carried over "
        f"{fig('requests.carried_over.total')} · handled {fig('requests.results_total.total')}"
        f" · carried forward {fig('requests.carried_forward.total')}",
        f"appeals    reviews {fig('appeals.review.total')} · suits direct "
        f"{fig('appeals.litigation_direct.total')} · after review "
        f"{fig('appeals.litigation_after_review.total')}",
        "cells      " + (", ".join(f"{t} {n}" for t, n in sorted(counts.items())) or "none"),
        "sections   " + (" ".join(str(s["number"]) for s in record["sections"]) or "none"),
        f"checks     {statuses['pass']} pass, {statuses['fail']} fail, "
        f"{statuses['not_assessable']} not assessable",
    ]
    for check in record["checks"]:
        if check["status"] == "fail":
            where = ".".join(p for p in (check.get("row"), check.get("col")) if p)
            lines.append(f"  FAIL     {check['rule']} [{where}]: {check['left']} ≠ {check['right']}")
    for warning in record["warnings"]:
        lines.append(f"warning    {warning}")
    return "\n".join(lines)


@main.command("sample-report")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path),
                default="sample-report.html")
@click.option("--template", type=click.Choice(["2019", "2021", "legacy"]), default="2021")
@click.option("--encoding", default="utf-8", help="utf-8 or gbk.")
@click.option("--seed", default=2020, show_default=True, type=int)
def sample_report_command(out: Path, template: str, encoding: str, seed: int) -> None:
    """Write a generated annual report (HTML, or flattened text for a .txt name).

    Example: govcrawl sample-report report.html --template 2019 --encoding gbk
    """
    from govcrawl.demo import samples

    spec = samples.sample_spec(seed=seed, template=template)
    if out.suffix.lower() == ".txt":
        out.write_text(samples.render_text(spec), encoding=encoding)
    else:
        out.write_bytes(samples.render_html(spec, encoding=encoding))
    click.echo(f"wrote {out} ({spec.report_title})")


DEFAULT_DEMO_DB = Path("data") / "demo.db"


@main.group("demo", invoke_without_command=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_DEMO_DB, show_default=True, help="The archive to create.")
@click.option("--epoch", type=click.IntRange(1, 2), default=1, show_default=True)
@click.option("--keep", is_flag=True, help="Crawl into the existing archive instead of a fresh one.")
@click.pass_context
def demo_group(ctx: click.Context, db_path: Path, epoch: int, keep: bool) -> None:
    """Crawl the bundled demo portal network into a fresh archive (the main job, offline).

    Generates the network, serves it on 127.0.0.1, crawls it with the real pipeline and
    prints the summary.  Subcommands generate or serve the network on its own.

    Example: govcrawl demo   (then: govcrawl demo --epoch 2 --keep, for a re-crawl a year later)
    """
    if ctx.invoked_subcommand is not None:
        return
    from govcrawl import registry
    from govcrawl.crawl.run import CrawlLocked, run_crawl
    from govcrawl.demo import network
    from govcrawl.demo.server import serve_in_thread

    root = network.ensure(epoch)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    portals = registry.from_demo_manifest(manifest)
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    server = serve_in_thread(root)
    click.echo(f"demo network epoch {epoch}: {len(portals)} portals, {manifest['report_count']} "
               f"reports, served on http://127.0.0.1:{server.port}", err=True)
    try:
        result = run_crawl(portals, db_path, proxy=f"http://127.0.0.1:{server.port}", fast=True,
                           command="demo")
    except CrawlLocked as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        server.shutdown()
    click.echo(result.summary(db_path))
    click.echo(f"browse it: govcrawl serve {db_path}   (Datasette on http://127.0.0.1:8001/; "
               f"or search it: govcrawl search 行政复议 --db {db_path})")
    sys.exit(result.exit_code)


def _epoch_option(func):
    return click.option("--epoch", type=click.IntRange(1, 2), default=1, show_default=True,
                        help="1: reports up to 2024; 2: a year later (one revised, one removed, "
                             "2025 added).")(func)


@demo_group.command("generate")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory to write (default: the demo cache).")
@_epoch_option
@click.option("--scale", type=click.IntRange(1, 5000), default=None,
              help="Generate N portals (~110 reports each) instead of the default three.")
@click.option("--seed", type=int, default=None, help="Generator seed (same seed, same bytes).")
def demo_generate_command(out: Path | None, epoch: int, scale: int | None, seed: int | None) -> None:
    """Write the demo network's site files and its manifest (ground truth).

    Example: govcrawl demo generate --out /tmp/demo --epoch 2
    """
    import time

    from govcrawl.demo import network

    start = time.perf_counter()
    seed = network.DEFAULT_SEED if seed is None else seed
    if out is not None:
        manifest = network.generate(out, epoch, scale, seed)
        root = out
    else:
        root = network.ensure(epoch, scale, seed)
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    click.echo(f"demo network epoch {epoch}: {len(manifest['portals'])} portals, "
               f"{manifest['report_count']} reports, in {root} "
               f"({time.perf_counter() - start:.1f} s)")


@demo_group.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8710, show_default=True)
@_epoch_option
@click.option("--latency", "latency_ms", type=click.FloatRange(0, 60000), default=0.0,
              help="Delay every response by MS milliseconds.")
@click.option("--scale", type=click.IntRange(1, 5000), default=None)
@click.option("--dir", "root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Serve this generated directory instead of the cached network.")
def demo_serve_command(port: int, epoch: int, latency_ms: float, scale: int | None,
                       root: Path | None) -> None:
    """Serve the demo network on 127.0.0.1 (use it as an HTTP proxy).

    Example: govcrawl demo serve --port 8710 --latency 50, then
    curl -x http://127.0.0.1:8710 http://www.donghu.gov.test/zwgk/xxgknb/zf/index.html
    """
    from govcrawl.demo import network
    from govcrawl.demo.server import DemoServer

    root = root or network.ensure(epoch, scale)
    try:
        server = DemoServer(root, port, latency_ms)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port} ({exc.strerror})") from None
    hosts = ", ".join(sorted(server.encodings)[:5]) + (" …" if len(server.encodings) > 5 else "")
    click.echo(f"serving demo epoch {server.epoch} from {root} on http://127.0.0.1:{server.port} "
               f"(proxy for {hosts}); Ctrl-C stops", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command("crawl")
@click.option("--portal", "portal_ids", multiple=True, help="Crawl only this portal (repeatable).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("data") / "archive.db", show_default=True)
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
def crawl_command(portal_ids: tuple[str, ...], db_path: Path, registry_path: Path | None,
                  proxy: str | None, log_file: str | None, verbose: bool, no_delay: bool,
                  per_domain: int | None, redis_url: str | None, redis_prefix: str, wait_seconds: float) -> None:
    """Crawl registered portals into the archive; safe to run from cron.

    Exit codes: 0 finished (per-URL errors are recorded in the archive), 1 the crawl did
    not finish, 2 bad usage or registry (or Redis unreachable), 3 another crawl is
    writing this archive.

    Example: govcrawl crawl --portal 330702-wucheng --db data/archive.db --log-file crawl.log
    """
    from govcrawl import registry
    from govcrawl.crawl.run import CrawlLocked, run_crawl

    level = "INFO" if verbose or log_file else "WARNING"
    if redis_url:
        from govcrawl.crawl.distributed.frontier import DistributedError
        from govcrawl.crawl.run import run_worker

        try:
            worker = run_worker(redis_url, redis_prefix, proxy=proxy, fast=no_delay, log_file=log_file,
                                log_level=level, per_domain=per_domain, wait_seconds=wait_seconds)
        except DistributedError as exc:
            click.echo(f"govcrawl: {exc}", err=True)
            sys.exit(2)
        click.echo(worker.summary(redis_url))
        sys.exit(worker.exit_code)

    try:
        portals = registry.select(registry.load_registry(registry_path), list(portal_ids))
    except registry.RegistryError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        result = run_crawl(portals, db_path, proxy=proxy, fast=no_delay, log_file=log_file,
                           log_level=level, command="crawl " + " ".join(portal_ids),
                           per_domain=per_domain)
    except CrawlLocked as exc:
        click.echo(f"govcrawl: {exc}", err=True)
        sys.exit(3)
    click.echo(result.summary(db_path))
    sys.exit(result.exit_code)


@main.command("ingest")
@click.option("--redis", "redis_url", envvar="GOVCRAWL_REDIS_URL", required=True,
              help="The Redis URL of the shared frontier (also GOVCRAWL_REDIS_URL).")
@click.option("--redis-prefix", default="govcrawl", show_default=True, help="Redis key prefix of the crawl.")
@click.option("--portal", "portal_ids", multiple=True, help="Crawl only this portal (repeatable).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("data") / "archive.db", show_default=True)
@click.option("--registry", "registry_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Portal registry (default: data/portals.yml of the project).")
@click.option("--idle", "idle_seconds", type=float, default=10.0, show_default=True,
              help="Finish when the frontier has been empty this long.")
def ingest_command(redis_url: str, redis_prefix: str, portal_ids: tuple[str, ...], db_path: Path,
                   registry_path: Path | None, idle_seconds: float) -> None:
    """Seed a distributed crawl and write what its workers fetch: the archive's one writer.

    Start it next to the archive, then `govcrawl crawl --redis URL` on any number of
    machines.  Restarted after a crash, it resumes the same run.  Exit codes as `crawl`.

    Example: govcrawl ingest --redis redis://10.0.0.5:6379/0 --db data/archive.db
    """
    from govcrawl import registry
    from govcrawl.crawl.distributed.frontier import DistributedError
    from govcrawl.crawl.distributed.ingest import run_ingest
    from govcrawl.crawl.run import CrawlLocked

    try:
        portals = registry.select(registry.load_registry(registry_path), list(portal_ids))
    except registry.RegistryError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        result = run_ingest(portals, db_path, redis_url, redis_prefix, idle_seconds,
                            log=lambda line: click.echo(line, err=True))
    except CrawlLocked as exc:
        click.echo(f"govcrawl: {exc}", err=True)
        sys.exit(3)
    except DistributedError as exc:
        click.echo(f"govcrawl: {exc}", err=True)
        sys.exit(2)
    click.echo(result.summary(db_path))


@main.command("reextract")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=Path("data") / "archive.db", show_default=True)
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="Processes reading pages ahead of the writes (default: one per core; 0: none).")
def reextract_command(db_path: Path, workers: int | None) -> None:
    """Rebuild every derived table from the archived raw pages (no network).

    Example: govcrawl reextract --db data/archive.db
    """
    import time

    from govcrawl import archive
    from govcrawl.crawl.run import ArchiveLock, CrawlLocked
    from govcrawl.extract.pool import default_workers

    start = time.perf_counter()
    try:
        with ArchiveLock(db_path):
            counts = archive.reextract(archive.open_db(str(db_path)),
                                       default_workers(reserve=0) if workers is None else workers)
    except CrawlLocked as exc:
        click.echo(f"govcrawl: {exc}", err=True)
        sys.exit(3)
    seconds = time.perf_counter() - start
    click.echo(f"reextracted {db_path}: {counts['fetches']} fetches replayed, {counts['extracted']} "
               f"extractions, {counts['reports']} reports, {counts['versions']} versions in "
               f"{seconds:.1f} s ({counts['extracted'] / max(seconds, 1e-9):.0f} extractions/s)")


@main.group("portals")
def portals_group() -> None:
    """The portal registry (data/portals.yml)."""


@portals_group.command("list")
@click.option("--registry", "registry_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def portals_list_command(registry_path: Path | None) -> None:
    """List registered portals: id, name, CMS, verified, listing URLs.

    Example: govcrawl portals list
    """
    from govcrawl import registry

    try:
        portals = registry.load_registry(registry_path)
    except registry.RegistryError as exc:
        raise click.ClickException(str(exc)) from None
    for portal in portals:
        flag = "demo" if portal.demo else ("verified" if portal.verified else "unverified")
        click.echo(f"{portal.id:28} {portal.name:20} {portal.cms:8} {flag:10} {portal.listing_urls[0]}")
    click.echo(f"{len(portals)} portals", err=True)


@portals_group.command("check")
@click.option("--registry", "registry_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def portals_check_command(registry_path: Path | None) -> None:
    """Validate the registry: fields, URLs within allowed domains, division codes.

    Example: govcrawl portals check
    """
    from govcrawl import registry

    try:
        portals = registry.load_registry(registry_path)
    except registry.RegistryError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        sys.exit(2)
    problems = [p for p in (registry.check_division(portal) for portal in portals) if p]
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{len(portals)} portals, {len(problems)} problems")
    sys.exit(2 if problems else 0)


# The researcher's commands (search, serve, export, chart) live in their own module.
from govcrawl.cli import research as cli_archive  # noqa: E402

for _command in cli_archive.COMMANDS:
    main.add_command(_command)

