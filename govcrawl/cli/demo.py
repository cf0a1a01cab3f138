"""`govcrawl demo`: the bundled demo portal network — generated, served, crawled."""

from __future__ import annotations

import json
from pathlib import Path

import click

from govcrawl.cli.common import quiet_option
from govcrawl.cli.crawl import run_exit_code
from govcrawl.cli.errors import ArchiveFailed, BadInput, Locked, exit_with

DEFAULT_DEMO_DB = Path("data") / "demo.db"


@click.group("demo", invoke_without_command=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_DEMO_DB, show_default=True, help="The archive to create.")
@click.option("--epoch", type=click.IntRange(1, 2), default=1, show_default=True)
@click.option("--keep", is_flag=True, help="Crawl into the existing archive instead of a fresh one.")
@quiet_option
@click.pass_context
def demo_group(ctx: click.Context, db_path: Path, epoch: int, keep: bool, quiet: bool) -> None:
    """Crawl the bundled demo portal network into a fresh archive (the main job, offline).

    Generates the network, serves it on 127.0.0.1, crawls it with the real pipeline and
    prints the summary.  Subcommands generate or serve the network on its own.

    Example: govcrawl demo   (then: govcrawl demo --epoch 2 --keep, for a re-crawl a year later)
    """
    if ctx.invoked_subcommand is not None:
        return
    from govcrawl import registry
    from govcrawl.archive.lock import CrawlLocked
    from govcrawl.crawl.run import ArchiveError, run_crawl
    from govcrawl.demo import network
    from govcrawl.demo.server import serve_in_thread

    root = network.ensure(epoch)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    portals = registry.load_registry(root / network.REGISTRY)
    if not keep:
        refusal = demo_archive_refusal(db_path)  # before anything runs: nothing but a demo archive is replaced
        if refusal:
            raise BadInput(refusal)
    server = serve_in_thread(root)
    if not quiet:
        click.echo(f"demo network epoch {epoch}: {len(portals)} portals, {manifest['report_count']} "
                   f"reports, served on http://127.0.0.1:{server.port}", err=True)
    try:
        result = run_crawl(portals, db_path, proxy=f"http://127.0.0.1:{server.port}", fast=True,
                           command="demo", prepare=None if keep else lambda: _start_afresh(db_path),
                           progress=not quiet)
    except CrawlLocked as exc:
        raise Locked(str(exc)) from None
    except ArchiveError as exc:
        raise ArchiveFailed(f"archive error: {exc}") from None
    finally:
        server.shutdown()
    code = run_exit_code(result)
    if not quiet or code:
        click.echo(result.summary(db_path))
    if not quiet:
        click.echo(f"browse it: govcrawl serve --db {db_path}   (Datasette on http://127.0.0.1:8001/; "
                   f"or search it: govcrawl search 行政复议 --db {db_path})")
    exit_with(code)


def demo_archive_refusal(db_path: Path) -> str | None:
    """Why ``db_path`` must not be replaced by a fresh demo archive, or None: it is absent,
    empty, or an archive of the demo portals only."""
    import sqlite3

    if not db_path.exists():
        return None
    if not db_path.is_file():
        return f"{db_path} is not a file"
    if db_path.stat().st_size == 0:
        return None
    advice = "choose another --db, or --keep to crawl into it"
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                return None
            if not {"portals", "reports"} <= tables:
                return f"{db_path} is not a govcrawl archive: not replaced ({advice})"
            others = conn.execute("SELECT COUNT(*) FROM portals WHERE NOT demo").fetchone()[0]
            portals = conn.execute("SELECT COUNT(*) FROM portals").fetchone()[0]
            reports = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return f"{db_path} is not a govcrawl archive: not replaced ({advice})"
    if others or (reports and not portals):
        return (f"{db_path} holds an archive of real portals ({reports} reports): not replaced by the demo "
                f"({advice})")
    return None


def _start_afresh(db_path: Path) -> None:
    """The demo archive removed for a fresh one (checked again under the archive's lock)."""
    refusal = demo_archive_refusal(db_path)
    if refusal:
        raise BadInput(refusal)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


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
        raise BadInput(f"cannot listen on 127.0.0.1:{port} ({exc.strerror})") from None
    hosts = ", ".join(sorted(server.encodings)[:5]) + (" …" if len(server.encodings) > 5 else "")
    click.echo(f"serving demo epoch {server.epoch} from {root} on http://127.0.0.1:{server.port} "
               f"(proxy for {hosts}); Ctrl-C stops", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


COMMANDS = (demo_group,)
