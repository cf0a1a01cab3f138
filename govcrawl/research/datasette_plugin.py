"""Datasette plugin: Chinese full-text search and highlighted snippets.

``govcrawl serve`` registers this module with Datasette's plugin manager; a plain
``datasette archive.db`` opens the same archive without it (search then falls back to
Datasette's own, which does not understand Chinese).

Pages of the relations that hold millions of rows at scale (figures, checks, sections and
their views) are served without Datasette's ``count(*)``, which alone takes longer than
the page should (``?_count=1`` asks for it anyway).

Datasette runs every ``?_search=`` through a SQL function ``escape_fts`` that it
registers on each connection.  Registering ours ``trylast=True`` makes it the last one
created, so it replaces Datasette's; without ``trylast`` the order is undefined and
Datasette's silently wins.  Tested against the pinned Datasette (see pyproject.toml).
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from datasette import hookimpl
from markupsafe import Markup

from govcrawl.archive import schema
from govcrawl.research import search


def _snippet(text: str | None, query: str | None) -> str | None:
    if text is None:
        return None
    return search.snippet(text, query or "", mark=(search.MARK_OPEN, search.MARK_CLOSE))


def _escape_fts(query: str | None) -> str:
    try:
        return search.fts_query(query or "")
    except search.QueryError:  # an absurdly long query finds nothing, at once
        return search.fts_query("")


@hookimpl(trylast=True)
def prepare_connection(conn: Any) -> None:
    conn.create_function("escape_fts", 1, _escape_fts, deterministic=True)
    conn.create_function("cn_snippet", 2, _snippet, deterministic=True)
    conn.create_function("cn_contains", 2, lambda text, q: int(search.contains(text or "", q or "")),
                         deterministic=True)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """``/-/search``: the search page that answers in bounded time (research/search_page.py)."""
    from govcrawl.research import search_page

    return [(r"^/-/search$", search_page.page)]


@hookimpl
def render_cell(value: Any) -> Markup | None:
    """Snippets show their hit highlighted."""
    if isinstance(value, str) and search.MARK_OPEN in value:
        return search.highlighted(value)
    return None


_LARGE = frozenset({t.name for t in schema.TABLES if t.large} | {v.name for v in schema.VIEWS if v.large})


def _search_page_for(path: str, query: bytes) -> str | None:
    """A plain search of the report_search table's page (its search box: ``?_search=`` and
    nothing else) goes to the search page, which answers it in bounded time; with a filter,
    facet or sort, or as JSON, the table answers as Datasette does."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[1] != "report_search":
        return None
    pairs = urllib.parse.parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True)
    terms = [value.strip() for key, value in pairs if key == "_search"]
    others = sorted((key, value) for key, value in pairs if key != "_search")
    # (the box's form submits the table's default sort with the term)
    if len(terms) == 1 and terms[0] and others in ([], [("_sort_desc", "id")]):
        return "-/search?" + urllib.parse.urlencode({"q": terms[0], "db": parts[0]})
    return None


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def without_counts(scope: dict, receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                parts = scope.get("path", "").strip("/").split("/")
                query = scope.get("query_string", b"")
                target = _search_page_for(scope.get("path", ""), query)
                if target is not None:
                    location = (datasette.urls.path(target) if datasette is not None else "/" + target).encode()
                    await send({"type": "http.response.start", "status": 302,
                                "headers": [(b"location", location), (b"content-type", b"text/plain")]})
                    await send({"type": "http.response.body", "body": b""})
                    return
                if len(parts) == 2 and parts[1].split(".", 1)[0] in _LARGE and b"_count=1" not in query \
                        and b"_nocount" not in query:
                    query = query + (b"&" if query else b"") + b"_nocount=1"
                # An empty search finds nothing (Datasette would list every row): a blank term
                # reaches escape_fts, which matches nothing for it.
                query = re.sub(rb"(^|&)_search=(?:%20|\+)*(?=&|$)", rb"\1_search=%20", query)
                scope = {**scope, "query_string": query}
            await app(scope, receive, send)
        return without_counts
    return wrap
