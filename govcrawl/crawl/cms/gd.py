"""The Guangdong 集约化 platform: static pages ``index_2.html``… of the column, reached by
下一页 links (numbered from 2 on some sites, 1 on others: followed, not computed)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from govcrawl.crawl.cms.base import Family, in_column, next_links

_INDEX_N = re.compile(r"/index_\d+\.s?html?$")


def index_n_links(url: str, links: list[tuple[str, str]]) -> list[str]:
    return [u for u, _ in links if in_column(url, u) and _INDEX_N.search(urlsplit(u).path)]


class GuangdongFamily(Family):
    name = "gd"

    def pages(self, url: str, text: str, links: list[tuple[str, str]]) -> list[str]:
        return list(dict.fromkeys(index_n_links(url, links) + next_links(url, links)))
