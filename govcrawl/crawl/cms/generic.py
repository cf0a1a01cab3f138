"""A portal with no family hint: every family's pager rules, in turn."""

from __future__ import annotations

from govcrawl.crawl.cms.base import Family


class GenericFamily(Family):
    name = "generic"

    def __init__(self, families: tuple[Family, ...]) -> None:
        self.families = families

    def pages(self, url: str, text: str, links: list[tuple[str, str]]) -> list[str]:
        found: list[str] = []
        for family in self.families:
            found += family.pages(url, text, links)
        return list(dict.fromkeys(found))
