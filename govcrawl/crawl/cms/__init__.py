"""CMS families: how a family's listing pages list their reports and how they page.

A portal's registry entry names its family (``cms``); the spider asks that family for a
listing page's links and further pages.  ``generic`` (a portal with no hint) tries every
family's rules.  A new family is one module here with a :class:`~govcrawl.crawl.cms.base.Family`
subclass, added to :data:`FAMILIES`.
"""

from __future__ import annotations

from govcrawl.crawl.cms.base import Family, Listing
from govcrawl.crawl.cms.fujian import FujianFamily
from govcrawl.crawl.cms.gd import GuangdongFamily
from govcrawl.crawl.cms.generic import GenericFamily
from govcrawl.crawl.cms.gkmlpt import GkmlptFamily
from govcrawl.crawl.cms.hanweb import HanwebFamily
from govcrawl.crawl.cms.trs import TrsFamily

FAMILIES: dict[str, Family] = {f.name: f for f in (TrsFamily(), HanwebFamily(), GuangdongFamily(), FujianFamily(),
                                                   GkmlptFamily())}
FAMILIES["generic"] = GenericFamily(tuple(FAMILIES.values()))
NAMES = tuple(FAMILIES)


def family(name: str) -> Family:
    """The family a registry entry names (its rules); unknown names are refused by the registry."""
    return FAMILIES[name]


__all__ = ["FAMILIES", "NAMES", "Family", "Listing", "family"]
