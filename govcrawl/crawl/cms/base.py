"""What every CMS family answers about a listing page: its links and its further pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from parsel import Selector

_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|后一页|>|›|»|next)\s*$", re.IGNORECASE)


@dataclass
class Listing:
    """A listing page as a family reads it."""

    url: str
    links: list[tuple[str, str]]  # (absolute url, link text or title), in page order
    pages: list[str] = field(default_factory=list)  # further listing pages of the column


class Family:
    """The rules every family shares; a family overrides what its portals do differently."""

    name = "base"

    def read(self, url: str, text: str) -> Listing:
        selector = Selector(text=text)
        anchors = [(a.attrib.get("href", "").strip(), " ".join(a.css("::text").getall()).strip()
                    or a.attrib.get("title", "")) for a in selector.css("a[href]")]
        links = [(urljoin(url, href), title) for href, title in anchors if _followable(href)]
        return Listing(url, links, self.pages(url, text, links))

    def pages(self, url: str, text: str, links: list[tuple[str, str]]) -> list[str]:
        """Further pages of the column: the links that say 下一页 (every family has them)."""
        return next_links(url, links)


def _followable(href: str) -> bool:
    return bool(href) and not href.lower().startswith(("javascript:", "mailto:", "tel:", "#", "data:"))


def same_site(url: str, other: str) -> bool:
    return urlsplit(url).netloc == urlsplit(other).netloc


def next_links(url: str, links: list[tuple[str, str]]) -> list[str]:
    """Links whose text says 'next page' (下一页, ›, …), on the same site."""
    return list(dict.fromkeys(u for u, text in links if _NEXT_TEXT.match(text or "") and same_site(u, url)))


def in_column(url: str, other: str) -> bool:
    """Is ``other`` in the folder of listing ``url`` (a sibling page of the same column)?"""
    base, parts = urlsplit(url), urlsplit(other)
    return base.netloc == parts.netloc and parts.path.startswith(base.path.rsplit("/", 1)[0] + "/")
