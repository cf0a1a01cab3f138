"""Hanweb (大汉): columns at ``/col/col<id>/index.html``, paged either with
``?uid=…&pageNum=N`` links, or — the jpage unit — by data: the first records sit in an XML
data island (``<script type="text/xml"><datastore><recordset><record><![CDATA[<li><a …>…]]>
</record>…``) and the next group comes from ``/module/web/jpage/dataproxy.jsp?page=N&…&
columnid=…``, which answers ``text/xml`` in the same shape, each group naming the next
(``<nextgroup>``) — or, failing that, the group count following from its totals.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from govcrawl.crawl.cms.base import Family, anchors, in_column

_PAGE_NUM = re.compile(r"[?&]pageNum=\d+")
_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_CDATA = re.compile(r"<(record|nextgroup)>\s*<!\[CDATA\[(.*?)\]\]>\s*</\1>", re.S | re.I)
_TOTAL = {name: re.compile(rf"<{name}>\s*(\d+)\s*</{name}>", re.I) for name in ("totalrecord", "totalpage")}
_PROXY = re.compile(r"""(/module/web/jpage/dataproxy\.jsp\?[^"'<>\s]+)""")
_PER_PAGE = re.compile(r"""\bperpage\s*[:=]\s*['"]?(\d+)""", re.I)


def page_num_links(url: str, links: list[tuple[str, str]]) -> list[str]:
    return [u for u, _ in links if in_column(url, u) and _PAGE_NUM.search("?" + urlsplit(u).query)]


def datastore(text: str) -> tuple[list[str], list[str], dict[str, int]]:
    """(record snippets, next-group snippets, totals) of the page's data islands."""
    records, groups, totals = [], [], {}
    for store in _DATASTORE.findall(text):
        for kind, content in _CDATA.findall(store):
            (records if kind.lower() == "record" else groups).append(content)
        for name, pattern in _TOTAL.items():
            if (m := pattern.search(store)) is not None:
                totals[name] = int(m.group(1))
    return records, groups, totals


def _group_pages(url: str, text: str, groups: list[str], totals: dict[str, int]) -> list[str]:
    """The data proxy's next groups: named by the island, or counted from its totals."""
    named = [link for snippet in groups for link, _ in anchors(url, Selector(text=snippet, type="html"))
             if "dataproxy" in link]
    if named:
        return named
    proxy = _PROXY.search(text)
    if not proxy or not (totals.get("totalpage") or totals.get("totalrecord")):
        return []
    base = urlsplit(urljoin(url, proxy.group(1).replace("&amp;", "&")))
    query = parse_qs(base.query)
    if query.get("page", ["1"])[0] not in ("", "0", "1") or "page" not in query:
        return []
    per_page = _PER_PAGE.search(text)
    pages = totals.get("totalpage") or math.ceil(totals["totalrecord"] / (int(per_page.group(1)) if per_page else 15))
    out = []
    for page in range(2, pages + 1):
        query["page"] = [str(page)]
        out.append(urlunsplit((base.scheme, base.netloc, base.path, urlencode(query, doseq=True), "")))
    return out


class HanwebFamily(Family):
    name = "hanweb"

    def links(self, url: str, text: str) -> list[tuple[str, str]]:
        records, _, _ = datastore(text)
        return [link for snippet in records for link in anchors(url, Selector(text=snippet, type="html"))]

    def pages(self, url: str, text: str, links: list[tuple[str, str]]) -> list[str]:
        _, groups, totals = datastore(text)
        found = page_num_links(url, links) + _group_pages(url, text, groups, totals) + super().pages(url, text, links)
        return list(dict.fromkeys(found))
