"""Hanweb (大汉): columns at ``/col/col<id>/index.html``, paged with ``?uid=…&pageNum=N``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from govcrawl.crawl.cms.base import Family, in_column, next_links

_PAGE_NUM = re.compile(r"[?&]pageNum=\d+")


def page_num_links(url: str, links: list[tuple[str, str]]) -> list[str]:
    return [u for u, _ in links if in_column(url, u) and _PAGE_NUM.search("?" + urlsplit(u).query)]


class HanwebFamily(Family):
    name = "hanweb"

    def pages(self, url: str, text: str, links: list[tuple[str, str]]) -> list[str]:
        return list(dict.fromkeys(page_num_links(url, links) + next_links(url, links)))
