"""Fujian's 集约化 platform (TRS-based, 2022 on): no pager link is written.  The page calls
``listModel({quickMode: "动静结合", maxStaticIndex: M, pagebar: {prepage: P, recordCount: 'N'}})``
and fills an empty ``ms-include-src`` block by script.  The column's first pages are static
— ``index.htm``, ``index_1.htm`` … ``index_M.htm`` — and their number follows from N and P;
past ``index_M`` the platform lists only through its search API (a POST), which a crawl of
pages does not reach: the listing says so, and its portal is then not complete.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urljoin, urlsplit

from govcrawl.crawl.cms.base import Family

_MODEL = re.compile(r"listModel\s*\(\s*\{(?P<body>.*?)\}\s*\)\s*;", re.S)
_NUMBER = {name: re.compile(rf"\b{name}\s*:\s*['\"]?(\d+)") for name in ("maxStaticIndex", "prepage", "recordCount")}
_PAGE = re.compile(r"/index(?:_(\d+))?\.(s?html?)$")


def list_model(text: str) -> dict[str, int] | None:
    """The numbers of a page's listModel call (None when it has none)."""
    match = _MODEL.search(text)
    if not match:
        return None
    found = {name: pattern.search(match.group("body")) for name, pattern in _NUMBER.items()}
    return {name: int(m.group(1)) for name, m in found.items() if m}


def _pages(url: str, text: str) -> tuple[list[str], str | None]:
    model = list_model(text)
    if not model or "recordCount" not in model or not model.get("prepage"):
        return [], None
    path = urlsplit(url).path
    current = _PAGE.search(path)
    if current and current.group(1):  # a later page: the first one named them all
        return [], None
    extension = current.group(2) if current else "htm"
    total = math.ceil(model["recordCount"] / model["prepage"])
    static = min(total, model.get("maxStaticIndex", total - 1) + 1)
    pages = [urljoin(url, f"index_{k}.{extension}") for k in range(1, static)]
    unreached = None
    if total > static:
        unreached = (f"{total - static} of the column's {total} pages ({model['recordCount']} items, "
                     f"{model['prepage']} a page) are listed only through the portal's search API, past its "
                     f"{static} static pages: not fetched")
    return pages, unreached


class FujianFamily(Family):
    name = "fujian"

    def pages(self, url: str, text: str, links: list[tuple[str, str]]) -> list[str]:
        return list(dict.fromkeys(_pages(url, text)[0] + super().pages(url, text, links)))

    def unreached(self, url: str, text: str) -> str | None:
        return _pages(url, text)[1]
