"""The researcher's commands: search, serve (Datasette), export, chart.

Added to the ``govcrawl`` group by govcrawl.cli; each is a thin shell over
govcrawl.research.search, govcrawl.research.catalog, govcrawl.research.export and govcrawl.research.chart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from govcrawl.cli.common import Progress, db_option, open_to_read, quiet_option
from govcrawl.cli.errors import BadInput


def _read(db_path: Path):
    return open_to_read(db_path)


@click.command("search")
@click.argument("query")
@db_option
@click.option("--limit", type=int, default=20, show_default=True, help="Hits to print (0: all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
def search_command(query: str, db_path: Path, limit: int, as_json: bool) -> None:
    """Find the reports whose text contains every term of QUERY (Chinese works: 复议, 信息公开).

    Example: govcrawl search 行政复议 --db data/demo.db
    """
    from govcrawl.research import search

    db = _read(db_path)
    try:
        total = search.count(db, query)
        hits = search.search(db, query, limit or None)
    except search.QueryError as exc:
        raise BadInput(str(exc)) from None
    for hit in hits:
        if as_json:
            click.echo(json.dumps(hit.__dict__, ensure_ascii=False))
        else:
            click.echo(f"{hit.year}  {hit.agency}\n      {hit.snippet}\n      {hit.url or ''}")
    if not as_json:
        click.echo(f"{total} reports contain {query!r}" + (f" (first {len(hits)} shown)" if len(hits) < total
                                                           else ""), err=True)


DATASETTE_SETTINGS = {
    # Facet suggestions scan every column of every page view: too slow for 100,000 reports;
    # the metadata names the facets worth having.
    "sql_time_limit_ms": 5000, "facet_time_limit_ms": 300, "suggest_facets": False, "default_page_size": 50,
}


def datasette_app(db_path: Path, plugin: bool = True, immutable: bool = False,
                  settings: dict[str, Any] | None = None, metadata: dict[str, Any] | None = None,
                  cors: bool = False):
    """A Datasette instance serving the archive (read-only) with the project's metadata and plugin."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from govcrawl.research import catalog, datasette_plugin

    if plugin and not pm.is_registered(datasette_plugin) and not pm.has_plugin("govcrawl"):
        pm.register(datasette_plugin, name="govcrawl")
    files = {"immutables": [str(db_path)]} if immutable else {"files": [str(db_path)]}
    return Datasette(**files, metadata=metadata if metadata is not None else catalog.metadata(db_path.stem),
                     settings={**DATASETTE_SETTINGS, **(settings or {})}, cors=cors)


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8001, show_default=True)
@click.option("--immutable", is_flag=True,
              help="The file will not change while served (a published copy): faster counts.")
@click.option("--setting", "settings", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="A Datasette setting (repeatable), e.g. --setting sql_time_limit_ms 1000.")
@click.option("--metadata", "metadata_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Datasette metadata (JSON or YAML) instead of the archive's own (`govcrawl metadata` writes it).")
@click.option("--cors", is_flag=True, help="Send CORS headers (Access-Control-Allow-Origin: *).")
def serve_command(db_path: Path, host: str, port: int, immutable: bool, settings: tuple[tuple[str, str], ...],
                  metadata_path: Path | None, cors: bool) -> None:
    """Browse the archive in Datasette: Chinese search, facets, canned queries, dashboard.

    Read-only (the archive's bytes stay as they are), so a cron crawl can keep writing.
    Plain `datasette` works too: the search plugin comes with govcrawl, and
    `govcrawl metadata` writes the metadata file for `datasette -m`, `datasette publish`.
    Example: govcrawl serve --db data/demo.db   (then open http://127.0.0.1:8001/)
    """
    import asyncio

    import uvicorn

    _read(db_path).conn.close()  # a readable archive of this schema, or a one-line reason
    metadata = None
    if metadata_path is not None:
        metadata = _load_metadata(metadata_path)
    try:
        ds = datasette_app(db_path, immutable=immutable, settings=_settings(settings), metadata=metadata,
                           cors=cors)
        asyncio.run(ds.invoke_startup())
    except Exception as exc:  # Datasette's own checks of settings and metadata
        raise BadInput(f"datasette: {exc}") from None
    click.echo(f"serving {db_path} on http://{host}:{port}/  (dashboard: /-/dashboards/overview)", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


def _settings(pairs: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """--setting NAME VALUE pairs, typed as Datasette's defaults are."""
    from datasette.app import DEFAULT_SETTINGS

    out: dict[str, Any] = {}
    for name, value in pairs:
        if name not in DEFAULT_SETTINGS:
            raise BadInput(f"--setting {name}: not a Datasette setting (see `datasette --help-settings`)")
        default = DEFAULT_SETTINGS[name]
        try:
            if isinstance(default, bool):
                if value.lower() not in ("1", "0", "true", "false", "on", "off"):
                    raise ValueError(value)
                out[name] = value.lower() in ("1", "true", "on")
            elif isinstance(default, int):
                out[name] = int(value)
            else:
                out[name] = value
        except ValueError:
            raise BadInput(f"--setting {name}: {value!r} is not a {type(default).__name__}") from None
    return out


def _load_metadata(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise BadInput(f"{path}: not readable metadata ({exc})") from None
    if not isinstance(data, dict):
        raise BadInput(f"{path}: metadata must be a mapping")
    return data


@click.command("metadata")
@db_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: stdout).")
def metadata_command(db_path: Path, out_path: Path | None) -> None:
    """The archive's Datasette metadata as a file: descriptions of every table and column,
    facets, canned queries, the dashboard — for `datasette -m`, `datasette publish`,
    `datasette package`.

    Example: govcrawl metadata --db data/archive.db --out metadata.json &&
    datasette data/archive.db -m metadata.json
    """
    from govcrawl.research import catalog

    text = json.dumps(catalog.metadata(db_path.stem), ensure_ascii=False, indent=2) + "\n"
    if out_path is None:
        click.echo(text, nl=False)
        return
    try:
        out_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{out_path}: cannot write ({exc.strerror})") from None
    click.echo(f"wrote {out_path} (use: datasette {db_path} -m {out_path})", err=True)


@click.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "jsonl"]), default="csv", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("export"),
              show_default=True)
@quiet_option
def export_command(db_path: Path, fmt: str, out_dir: Path, quiet: bool) -> None:
    """Write the report list, the long and wide metric tables and the data dictionary.

    Example: govcrawl export --db data/demo.db --format parquet --out export/
    """
    from govcrawl.research import export

    db = _read(db_path)
    progress = Progress(f"export to {out_dir}: rows")
    try:
        counts = export.export(db, out_dir, fmt, progress=None if quiet else progress.advance)
    except OSError as exc:
        raise BadInput(f"{out_dir}: cannot write the export ({exc.strerror or exc})") from None
    except ValueError as exc:  # a figure the typed export refuses to round
        raise BadInput(f"export: {exc}") from None
    finally:
        progress.close()
    if quiet:
        return
    click.echo(f"exported to {out_dir}: " + ", ".join(f"{name}.{fmt} {n} rows" for name, n in counts.items())
               + "; datapackage.json (Frictionless) and dictionary.md beside them")


@click.command("chart")
@db_option
@click.option("--agency", help="An agency, as printed on its reports.")
@click.option("--district", help="A district (name or portal id): its agencies summed.")
@click.option("--key", "keys", multiple=True, help="Canonical key(s) to draw (default: requests, results, reviews).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The image to write (.png or .svg).")
def chart_command(db_path: Path, agency: str | None, district: str | None, keys: tuple[str, ...],
                  out_path: Path) -> None:
    """Draw one agency's or one district's series across the years (PNG or SVG).

    Example: govcrawl chart --db data/demo.db --district donghu --out donghu.svg
    """
    from govcrawl.research import chart

    if out_path.suffix.lower() not in (".png", ".svg"):
        raise BadInput("--out must end in .png or .svg")
    try:
        title, data = chart.series(_read(db_path), keys or chart.DEFAULT_KEYS, agency, district)
    except chart.ChartError as exc:
        raise BadInput(str(exc)) from None
    try:
        warning = chart.draw(title, data, out_path)
    except OSError as exc:
        raise BadInput(f"{out_path}: cannot write ({exc.strerror or exc})") from None
    if warning:
        click.echo(f"govcrawl: warning: {warning}", err=True)
    click.echo(f"wrote {out_path}: {title}, {len(data)} series, "
               f"{len({y for v in data.values() for y in v})} years")


COMMANDS = (search_command, serve_command, metadata_command, export_command, chart_command)
