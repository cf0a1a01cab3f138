"""The Guangdong 集约化 platform: static pages ``index_2.html``… of the column, reached by
下一页 and numbered links (numbered from 2 on some sites, 1 on others: followed, not
computed) — the rules every family shares (govcrawl.crawl.cms.base)."""

from __future__ import annotations

from govcrawl.crawl.cms.base import Family


class GuangdongFamily(Family):
    name = "gd"
