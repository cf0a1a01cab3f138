"""TRS WCM: the pager is written by ``createPageHTML(N, i, "index", "html")``; page k ≥ 1 is
``index_k.html`` (report-format.md §7c), enumerated once, from the first page.  TRS's later
list API (``listModel``, as Fujian's platform serves it) is read too: a portal known as
TRS may be on either."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from govcrawl.crawl.cms.fujian import FujianFamily

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([^'\"]+)['\"]\s*,"
    r"\s*['\"]([^'\"]+)['\"]")
MAX_PAGES = 100_000  # named pages are made at most this many; the crawl's own limit is lower, and recorded


def create_page_html(url: str, text: str) -> list[str]:
    """The pages a first page's createPageHTML names (none from a later page)."""
    match = _CREATE_PAGE.search(text)
    if not match:
        return []
    count, current, name, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    if current != 0:
        return []
    return [urljoin(url, f"{name}_{k}.{ext}") for k in range(1, min(count, MAX_PAGES))]


class TrsFamily(FujianFamily):
    name = "trs"

    def pages(self, url: str, text: str, links: list[tuple[str, str]]) -> list[str]:
        return list(dict.fromkeys(create_page_html(url, text) + super().pages(url, text, links)))
