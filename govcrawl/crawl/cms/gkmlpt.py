"""Guangdong's 政府信息公开目录平台 (gkmlpt, every county of the province): the listing is a
JavaScript app over a JSON API — ``/gkmlpt/api/all/<column>?page=N&sid=<site>`` answers
``{"articles": [{"title", "url", …}], "total": T, …}`` — and reports are
``…/gkmlpt/content/…/post_<id>.html``.  A portal lists the API's URL (or the app's page with
``#<column>``, from which the API's is made); pages follow from the total.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from govcrawl.crawl.cms.base import Family

_API = re.compile(r"/gkmlpt/api/")
_SID = re.compile(r"""\b(?:sid|SID|site_id|siteId)\s*[:=]\s*['"]?(\d{3,})""")
_LISTS = ("articles", "data", "list", "records", "rows", "items")
_TOTALS = ("total", "count", "totalCount", "total_count", "recordCount")
_SIZES = ("page_size", "pageSize", "per_page", "size", "limit")


def _json(text: str) -> Any:
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _articles(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [a for a in data if isinstance(a, dict)]
    if isinstance(data, dict):
        for key in _LISTS:
            if isinstance(data.get(key), list):
                return [a for a in data[key] if isinstance(a, dict)]
            if isinstance(data.get(key), dict):  # {"data": {"list": [...]}}
                inner = _articles(data[key])
                if inner:
                    return inner
    return []


def _number(data: Any, keys: tuple[str, ...]) -> int | None:
    if not isinstance(data, dict):
        return None
    for key in keys:
        value = data.get(key)
        if isinstance(value, int | str) and str(value).isdigit():
            return int(value)
    for inner in data.values():
        if isinstance(inner, dict) and (found := _number(inner, keys)) is not None:
            return found
    return None


def api_url(url: str, text: str) -> str | None:
    """The JSON API behind the app's page (its ``#<column>`` and the site id the page names)."""
    parts = urlsplit(url)
    sid = _SID.search(text)
    if "/gkmlpt/" not in parts.path or not parts.fragment.isdigit() or not sid:
        return None
    return urlunsplit((parts.scheme, parts.netloc, f"/gkmlpt/api/all/{parts.fragment}",
                       urlencode({"page": 1, "sid": sid.group(1)}), ""))


class GkmlptFamily(Family):
    name = "gkmlpt"

    def links(self, url: str, text: str) -> list[tuple[str, str]]:
        out = []
        for article in _articles(_json(text)):
            link = article.get("url") or article.get("link") or article.get("href")
            title = article.get("title") or article.get("name") or ""
            if isinstance(link, str) and link:
                out.append((urljoin(url, link), " ".join(str(title).split())))
        return out

    def pages(self, url: str, text: str, links: list[tuple[str, str]]) -> list[str]:
        data = _json(text)
        if data is None:  # the app's page (or a static page of the platform)
            found = api_url(url, text)
            return list(dict.fromkeys(([found] if found else []) + super().pages(url, text, links)))
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        if not _API.search(parts.path) or query.get("page", ["1"])[0] != "1":
            return []  # every page is named from the first
        total, size = _number(data, _TOTALS), _number(data, _SIZES) or len(_articles(data))
        if not total or not size:
            return []
        out = []
        for page in range(2, math.ceil(total / size) + 1):
            query["page"] = [str(page)]
            out.append(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, doseq=True), "")))
        return out
