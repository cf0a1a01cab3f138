"""The archive's search page in Datasette (``/-/search?q=…``): how many reports contain the
query, broken down by year, province, level and template, and the newest hits with their
snippet — in bounded time at any scale.

Datasette's own table search (``report_search?_search=…``) evaluates the phrase query once
for its count and once more for each facet: at 100,000 reports a common term costs that
many passes over a hundred thousand position lists.  This page asks the index twice: one
grouped count over the matching reports gives the total and every breakdown, and the hits
are read newest first straight from the index (an id cursor pages through them).  The
table page stays for what it does best: any filter, any facet, any sort.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from govcrawl.research import search

FACETS = ("year", "province", "level", "template")
PAGE_SIZE = 20

TEMPLATE = """{% extends "base.html" %}
{% block title %}Search{% if q %}: {{ q }}{% endif %}{% endblock %}
{% block content %}
<h1>Search the reports</h1>
<form class="core" action="{{ action }}" method="get">
  <p><input type="search" name="q" value="{{ q }}" placeholder="行政复议 不予公开" style="width: 60%">
  {% for name, value in filters %}<input type="hidden" name="{{ name }}" value="{{ value }}">{% endfor %}
  {% if db_name %}<input type="hidden" name="db" value="{{ db_name }}">{% endif %}
  <input type="submit" value="Search"></p>
</form>
{% if q %}
<p>{{ "{:,}".format(total) }} report{% if total != 1 %}s{% endif %} contain{% if total == 1 %}s{% endif %}
  <strong>{{ q }}</strong>{% for name, value in filters %}, {{ name }} = {{ value }}
  (<a href="{{ without[name] }}">remove</a>){% endfor %}.
  <a href="{{ table_url }}">In the table</a> (any filter, facet or sort; slower on common terms).</p>
{% if total %}
<div class="facet-results">
{% for facet in facets %}
  <div class="facet-info">
    <p class="facet-info-name"><strong>{{ facet.name }}</strong></p>
    <ul class="tight-bullets">
    {% for value in facet["values"] %}
      <li><a href="{{ value.url }}">{{ value.label }}</a> {{ "{:,}".format(value.count) }}</li>
    {% endfor %}
    </ul>
  </div>
{% endfor %}
</div>
<ul>
{% for hit in hits %}
  <li><p><a href="{{ hit.url }}">{{ hit.title or hit.report_id }}</a> — {{ hit.agency or "" }}, {{ hit.year or "" }}
    {{ hit.province or "" }} {{ hit.district or "" }}</p>
    <p>{{ hit.snippet_html }}</p></li>
{% endfor %}
</ul>
{% if next_url %}<p><a href="{{ next_url }}">Next {{ page_size }}</a></p>{% endif %}
{% endif %}
{% endif %}
{% endblock %}
"""


async def _archive(datasette: Any, name: str | None) -> Any:
    """The database to search: the one named, else the first that has the search index."""
    for db_name, db in datasette.databases.items():
        if (name is None or db_name == name) and await db.table_exists("report_search_fts"):
            return db
    return None


async def _has_index(db: Any) -> bool:
    found = await db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'report_search_facets'")
    return bool(found.rows)


def statements(q: str, filters: dict[str, str], before: int | None,
               indexed: bool = True) -> tuple[str, str, dict[str, Any]]:
    """(the grouped count, one page of hits, their parameters) for ``q`` within ``filters``."""
    where = "".join(f" AND s.{name} IS :{name}" if value == "" else f" AND CAST(s.{name} AS TEXT) = :{name}"
                    for name, value in filters.items())
    params: dict[str, Any] = {"q": q, "before": before,
                              **{k: (None if v == "" else v) for k, v in filters.items()}}
    in_range = ""  # for the index's rowid (the name of the column in each statement)
    year = filters.get("year", "")
    if year.isdigit():
        # ids are year × 1,000,000 + a sequence (archive/fulltext.py): a year is a range of the index
        in_range = " AND {rowid} BETWEEN :year_first AND :year_last"
        params.update(year_first=int(year) * 1_000_000, year_last=int(year) * 1_000_000 + 999_999)
    # Scanning the index of the facet columns and probing the matching ids beats looking up
    # each matching report (twice as fast when most reports match); SQLite would not choose it.
    grouped = (f"SELECT {', '.join(FACETS)}, count(*) FROM report_search s"
               f"{' INDEXED BY report_search_facets' if indexed else ''} WHERE s.id IN (SELECT rowid FROM "
               "report_search_fts WHERE report_search_fts MATCH escape_fts(:q)"
               f"{in_range.format(rowid='rowid')}){where} GROUP BY {', '.join(FACETS)}")
    # Newest first straight from the index: it yields its rows in id order and stops at the
    # page's end, instead of matching every report before the first row is known.
    page = ("SELECT s.id, s.report_id, s.title, s.agency, s.year, s.province, s.district, s.url, "
            "cn_snippet(coalesce(s.title, '') || char(10) || coalesce(v.text, ''), :q) "
            "FROM report_search_fts f JOIN report_search s ON s.id = f.rowid "
            "JOIN versions v ON v.version_id = s.version_id "
            f"WHERE report_search_fts MATCH escape_fts(:q){in_range.format(rowid='f.rowid')}{where}"
            + (" AND f.rowid < :before" if before is not None else "")
            + f" ORDER BY f.rowid DESC LIMIT {PAGE_SIZE + 1}")
    return grouped, page, params


async def results(db: Any, q: str, filters: dict[str, str], before: int | None) -> dict[str, Any]:
    """Total, breakdowns and one page of hits for ``q`` within ``filters`` (column = value)."""
    grouped_sql, page_sql, params = statements(q, filters, before, await _has_index(db))
    grouped = await db.execute(grouped_sql, params)
    counts: dict[str, dict[Any, int]] = {name: {} for name in FACETS}
    total = 0
    for row in grouped.rows:
        total += row[-1]
        for index, name in enumerate(FACETS):
            counts[name][row[index]] = counts[name].get(row[index], 0) + row[-1]
    page = await db.execute(page_sql, params)
    columns = ("id", "report_id", "title", "agency", "year", "province", "district", "url", "snippet")
    hits = [dict(zip(columns, row, strict=True)) for row in page.rows]
    for hit in hits:
        hit["snippet_html"] = search.highlighted(hit["snippet"] or "")
        hit["snippet"] = search.plain(hit["snippet"] or "")
    return {"total": total, "counts": counts, "hits": hits[:PAGE_SIZE],
            "next_before": hits[PAGE_SIZE - 1]["id"] if len(hits) > PAGE_SIZE else None}


def _ordered(name: str, counts: dict[Any, int]) -> list[tuple[Any, int]]:
    """Years newest first (a series reads in order); other values by count."""
    if name == "year":
        return sorted(counts.items(), key=lambda item: -(item[0] or 0))
    return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))


def _url(path: str, params: dict[str, Any]) -> str:
    return path + "?" + urlencode({k: v for k, v in params.items() if v is not None})


async def page(datasette: Any, request: Any) -> Any:
    """``/-/search``: HTML, or JSON with ``?_format=json``."""
    from datasette.utils.asgi import Response

    q = " ".join((request.args.get("q") or "").split())
    if len(q) > search.MAX_QUERY:
        return Response.text(f"query too long ({len(q)} characters; at most {search.MAX_QUERY})", status=400)
    filters = {name: request.args[name] for name in FACETS if name in request.args}
    before_text = request.args.get("before")
    before = int(before_text) if before_text and before_text.isdigit() else None
    db = await _archive(datasette, request.args.get("db"))
    if db is None:
        return Response.text("no archive with a search index is served here", status=404)
    found = await results(db, q, filters, before) if q else {
        "total": 0, "counts": {name: {} for name in FACETS}, "hits": [], "next_before": None}
    path = datasette.urls.path("-/search")
    base = {"q": q, **filters, "db": request.args.get("db")}
    next_url = _url(path, {**base, "before": found["next_before"]}) if found["next_before"] else None
    if request.args.get("_format") == "json":
        return Response.json({
            "q": q, "filters": filters, "total": found["total"],
            "facets": {name: [{"value": value, "count": count}
                              for value, count in _ordered(name, found["counts"][name])] for name in FACETS},
            "hits": [{k: v for k, v in hit.items() if k != "snippet_html"} for hit in found["hits"]],
            "next": next_url})
    facets = [{"name": name, "values": [
        {"label": "(none)" if value is None else value, "count": count,
         "url": _url(path, {**base, name: "" if value is None else value})}
        for value, count in _ordered(name, found["counts"][name])[:30]]}
        for name in FACETS if name not in filters]
    # (sorted by year: a search alone on the table's page, or with its default sort, comes here)
    table_params = {"_search": q, "_sort_desc": "year",
                    **{name: value for name, value in filters.items() if value != ""}}
    context = {
        "q": q, "filters": list(filters.items()), "action": path, "db_name": request.args.get("db"),
        "total": found["total"], "facets": facets, "hits": found["hits"], "next_url": next_url,
        "page_size": PAGE_SIZE, "table_url": _url(datasette.urls.table(db.name, "report_search"), table_params),
        "without": {name: _url(path, {k: v for k, v in base.items() if k != name}) for name in filters},
    }
    template = datasette.jinja_env.from_string(TEMPLATE)
    return Response.html(await datasette.render_template(template, context, request=request))
