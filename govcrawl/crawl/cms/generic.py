"""A portal with no family hint: every family's pager rules, in turn."""

from __future__ import annotations

from govcrawl.crawl.cms.base import Family


class GenericFamily(Family):
    name = "generic"

    def __init__(self, families: tuple[Family, ...]) -> None:
        self.families = families

    def links(self, url: str, text: str) -> list[tuple[str, str]]:
        return [link for family in self.families for link in family.links(url, text)]

    def pages(self, url: str, text: str, links: list[tuple[str, str]]) -> list[str]:
        found: list[str] = []
        for family in self.families:
            found += family.pages(url, text, links)
        return list(dict.fromkeys(found))

    def unreached(self, url: str, text: str) -> str | None:
        return next((why for family in self.families if (why := family.unreached(url, text))), None)
