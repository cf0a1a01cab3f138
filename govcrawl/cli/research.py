"""The researcher's commands: search, serve (Datasette), export, chart.

Added to the ``govcrawl`` group by govcrawl.cli; each is a thin shell over
govcrawl.research.search, govcrawl.research.catalog, govcrawl.research.export and govcrawl.research.chart.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from govcrawl.cli.errors import BadInput

DEFAULT_DB = Path("data/demo.db")
_DB_ARG = click.argument("db_path", metavar="[DB]", required=False, default=str(DEFAULT_DB),
                         type=click.Path(dir_okay=False, path_type=Path))


def _open_existing(db_path: Path):
    from govcrawl.archive.schema import open_db

    if not db_path.is_file():
        raise BadInput(f"{db_path}: no such archive (run `govcrawl demo` or `govcrawl crawl` first)")
    return open_db(str(db_path))


@click.command("search")
@click.argument("query")
@click.option("--db", "db_path", default=str(DEFAULT_DB), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path))
@click.option("--limit", type=int, default=20, show_default=True, help="Hits to print (0: all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
def search_command(query: str, db_path: Path, limit: int, as_json: bool) -> None:
    """Find the reports whose text contains every term of QUERY (Chinese works: 复议, 信息公开).

    Example: govcrawl search 行政复议 --db data/demo.db
    """
    from govcrawl.research import search

    db = _open_existing(db_path)
    total = search.count(db, query)
    hits = search.search(db, query, limit or None)
    for hit in hits:
        if as_json:
            click.echo(json.dumps(hit.__dict__, ensure_ascii=False))
        else:
            click.echo(f"{hit.year}  {hit.agency}\n      {hit.snippet}\n      {hit.url or ''}")
    if not as_json:
        click.echo(f"{total} reports contain {query!r}" + (f" (first {len(hits)} shown)" if len(hits) < total
                                                           else ""), err=True)


def datasette_app(db_path: Path, plugin: bool = True, immutable: bool = False):
    """A Datasette instance serving the archive with the project's metadata (and plugin)."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from govcrawl.research import catalog, datasette_plugin

    if plugin and not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="govcrawl")
    files = {"immutables": [str(db_path)]} if immutable else {"files": [str(db_path)]}
    return Datasette(**files, metadata=catalog.metadata(db_path.stem),
                     # Facet suggestions scan every column of every page view: too slow for
                     # 100,000 reports; the metadata names the facets worth having.
                     settings={"sql_time_limit_ms": 5000, "facet_time_limit_ms": 300,
                               "suggest_facets": False, "default_page_size": 50})


@click.command("serve")
@_DB_ARG
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8001, show_default=True)
@click.option("--immutable", is_flag=True,
              help="The file will not change while served (a published copy): faster counts.")
def serve_command(db_path: Path, host: str, port: int, immutable: bool) -> None:
    """Browse the archive in Datasette: Chinese search, facets, canned queries, dashboard.

    Read-only: Datasette opens the archive read-only, so a cron crawl can keep writing.
    Example: govcrawl serve data/demo.db   (then open http://127.0.0.1:8001/)
    """
    import asyncio

    import uvicorn

    _open_existing(db_path).conn.close()  # shapes (and migrates) the archive first
    ds = datasette_app(db_path, immutable=immutable)
    asyncio.run(ds.invoke_startup())
    click.echo(f"serving {db_path} on http://{host}:{port}/  (dashboard: /-/dashboards/overview)", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


@click.command("export")
@_DB_ARG
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "jsonl"]), default="csv", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("export"),
              show_default=True)
def export_command(db_path: Path, fmt: str, out_dir: Path) -> None:
    """Write the report list, the long and wide metric tables and the data dictionary.

    Example: govcrawl export data/demo.db --format parquet --out export/
    """
    from govcrawl.research import export

    counts = export.export(_open_existing(db_path), out_dir, fmt)
    click.echo(f"exported to {out_dir}: " + ", ".join(f"{name}.{fmt} {n} rows" for name, n in counts.items())
               + "; schema.json and dictionary.md beside them")


@click.command("chart")
@_DB_ARG
@click.option("--agency", help="An agency, as printed on its reports.")
@click.option("--district", help="A district (name or portal id): its agencies summed.")
@click.option("--key", "keys", multiple=True, help="Canonical key(s) to draw (default: requests, results, reviews).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The image to write (.png or .svg).")
def chart_command(db_path: Path, agency: str | None, district: str | None, keys: tuple[str, ...],
                  out_path: Path) -> None:
    """Draw one agency's or one district's series across the years (PNG or SVG).

    Example: govcrawl chart data/demo.db --district donghu --out donghu.svg
    """
    from govcrawl.research import chart

    if out_path.suffix.lower() not in (".png", ".svg"):
        raise BadInput("--out must end in .png or .svg")
    try:
        title, data = chart.series(_open_existing(db_path), keys or chart.DEFAULT_KEYS, agency, district)
    except chart.ChartError as exc:
        raise BadInput(str(exc)) from None
    warning = chart.draw(title, data, out_path)
    if warning:
        click.echo(f"govcrawl: warning: {warning}", err=True)
    click.echo(f"wrote {out_path}: {title}, {len(data)} series, "
               f"{len({y for v in data.values() for y in v})} years")


COMMANDS = (search_command, serve_command, export_command, chart_command)
