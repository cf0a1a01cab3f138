"""What every CMS family answers about a listing page: its links and its further pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from parsel import Selector

_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|后一页|>|›|»|next)\s*$", re.IGNORECASE)
# A column that lists nothing says so (an explicit "no items"), which is not a broken page.
_NO_ITEMS = re.compile(r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|公开信息)"
                       r"|没有(?:找到)?(?:相关)?(?:信息|数据|记录|内容)|无相关(?:信息|数据|记录|内容)|(?:共|总共)\s*0\s*(?:条|篇|项|个)")
# Detail pages of the CMS families (report-format.md §7c): TRS, Hanweb, Guangdong, Anhui.
_DETAIL = re.compile(r"/\d{6}/t\d{8}_\d+\.s?html?$|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.s?html?$"
                     r"|/content/(?:\w+/)*post_\d+\.html$|/Openness\w*/show/\d+\.html$", re.IGNORECASE)


@dataclass
class Listing:
    """A listing page as a family reads it."""

    url: str
    links: list[tuple[str, str]]  # (absolute url, link text or title), in page order
    pages: list[str] = field(default_factory=list)  # further listing pages of the column
    items: int = 0  # links to detail pages of the column (reports or not)
    says_empty: bool = False  # the page says the column has no items
    unreached: str | None = None  # pages the column has that no crawl can fetch as pages, and why

    @property
    def recognised(self) -> bool:
        """Is this a listing of the column: items, pages, or an explicit 'no items'?  A
        challenge, an error page in the portal's frame or an empty body is none of these."""
        return bool(self.items or self.pages or self.says_empty)


class Family:
    """The rules every family shares; a family overrides what its portals do differently."""

    name = "base"

    def read(self, url: str, text: str) -> Listing:
        """The listing a page is: its links (the page's anchors and what the family adds:
        records in a data island, articles of a JSON API), its further pages, its items."""
        selector = Selector(text=text, type="html")
        links = anchors(url, selector) + self.links(url, text)
        pages = self.pages(url, text, links)
        items = sum(1 for link, _ in links if link not in pages and self.is_item(url, link))
        body_text = " ".join(selector.css("body *:not(script):not(style)::text").getall())
        return Listing(url, list(dict.fromkeys(links)), pages, items, bool(_NO_ITEMS.search(body_text)),
                       self.unreached(url, text))

    def links(self, url: str, text: str) -> list[tuple[str, str]]:
        """Links the family lists outside the page's own anchors (none by default)."""
        return []

    def unreached(self, url: str, text: str) -> str | None:
        """Why some pages of the column cannot be fetched as pages (None: they all can)."""
        return None

    def is_item(self, url: str, link: str) -> bool:
        """Is ``link`` a detail page listed by listing ``url``: in the column's folder (not
        the column itself) or shaped like a family's detail page?"""
        if not same_site(url, link):
            return False
        path = urlsplit(link).path
        if _DETAIL.search(path):
            return True
        folder = urlsplit(url).path.rsplit("/", 1)[0] + "/"
        return path.startswith(folder) and path != urlsplit(url).path and "." in path.rsplit("/", 1)[-1] \
            and not re.search(r"/index(?:_\d+)?\.s?html?$", path)

    def pages(self, url: str, text: str, links: list[tuple[str, str]]) -> list[str]:
        """Further pages of the column, as every family's static pagers link them: 下一页 and
        numbered links to the column's sibling pages (index_2.html, ?page=3)."""
        return list(dict.fromkeys(next_links(url, links) + numbered_pages(url, links)))


def anchors(url: str, selector: Selector) -> list[tuple[str, str]]:
    """(absolute URL, title) of a page's followable links.  The title is the link's text, or
    its ``title`` attribute where the text is cut ('…年度报...') or empty: listings shorten
    long titles and keep the whole one there."""
    out = []
    for a in selector.css("a[href]"):
        href = a.attrib.get("href", "").strip()
        if not _followable(href):
            continue
        text = " ".join(" ".join(a.css("::text").getall()).split())
        full = " ".join((a.attrib.get("title") or "").split())
        cut = text.rstrip(".…。 ")
        if full and (not text or (len(full) > len(cut) and (text != cut or full.startswith(cut)))):
            text = full
        out.append((urljoin(url, href), text))
    return out


def _followable(href: str) -> bool:
    return bool(href) and not href.lower().startswith(("javascript:", "mailto:", "tel:", "#", "data:"))


def same_site(url: str, other: str) -> bool:
    return urlsplit(url).netloc == urlsplit(other).netloc


def next_links(url: str, links: list[tuple[str, str]]) -> list[str]:
    """Links whose text says 'next page' (下一页, ›, …), on the same site."""
    return list(dict.fromkeys(u for u, text in links if _NEXT_TEXT.match(text or "") and same_site(u, url)))


_NUMBERED_FILE = re.compile(r"/(?:index|list|default|more|page)[_-]\d+\.(?:s?html?|jsp|aspx?|php)$", re.I)
_PAGE_PARAM = re.compile(r"(?:^|&)(?:page|pageNo|pageNum|pageIndex|curPage|currentPage|pn|p)=\d+(?:&|$)", re.I)
_PAGER_TEXT = re.compile(r"^\s*(?:\d{1,4}|下一页|下页|后一页|尾页|末页|最后一页|[>›»]+|next|last)\s*$", re.I)


def numbered_pages(url: str, links: list[tuple[str, str]]) -> list[str]:
    """The column's numbered pages: a sibling file ``index_N`` (``list_N`` …) of its folder,
    or the listing itself with a page number in its query, behind a pager's text (a
    number, 下一页, 尾页)."""
    out = []
    here = urlsplit(url)
    for link, title in links:
        parts = urlsplit(link)
        if not in_column(url, link):
            continue
        numbered_query = parts.path == here.path and _PAGE_PARAM.search(parts.query)
        if _NUMBERED_FILE.search(parts.path) or (numbered_query and _PAGER_TEXT.match(title or "")):
            out.append(link)
    return out


def in_column(url: str, other: str) -> bool:
    """Is ``other`` in the folder of listing ``url`` (a sibling page of the same column)?"""
    base, parts = urlsplit(url), urlsplit(other)
    return base.netloc == parts.netloc and parts.path.startswith(base.path.rsplit("/", 1)[0] + "/")
