"""Is a response a portal's answer, or a gate in front of it?

Government portals sit behind WAFs and anti-bot services that answer a crawler with a
challenge instead of the page: a 412 or 521 with a script that sets a cookie and reloads
(jsl_clearance, WZWS, 安全狗, 云锁), or a 200 whose body is only that script, or a page
asking to turn JavaScript on.  Such an answer says nothing about the portal's pages: it is
recorded as *blocked*, never read as an empty listing or a missing report.
"""

from __future__ import annotations

import re

# Statuses WAFs and anti-bot gates answer with (412: Knownsec/Jiasule's cookie challenge;
# 521: the same family; 418, 444, 499: refusals).
BLOCKING_STATUSES = frozenset({412, 418, 444, 499, 521, 523})
_WORDS = ("请开启JavaScript", "请启用JavaScript", "请打开JavaScript", "开启浏览器JavaScript", "您的访问被拦截",
          "访问被拒绝", "拦截了您的访问", "安全验证", "人机验证", "请输入验证码", "网站防火墙")
# Markers of WAF challenges, and the words they say, in the bytes as served (UTF-8 or GBK).
_MARKERS = re.compile(
    rb"jsl_clearance|__jsl|_waf_|wzws|safedog|yunsuo|cdn-cgi/challenge|challenge-platform|acw_sc__|arg1=|"
    rb"sojson|__cf_chl|" + b"|".join(re.escape(w.encode(codec)) for w in _WORDS for codec in ("utf-8", "gbk")),
    re.IGNORECASE)
_ANCHOR = re.compile(rb"<a\s[^>]*href\s*=", re.IGNORECASE)
_SCRIPT = re.compile(rb"<script\b", re.IGNORECASE)
_COOKIE_RELOAD = re.compile(rb"document\.cookie|location\.(?:reload|href|replace)|window\.location", re.IGNORECASE)


def blocked_reason(status: int, body: bytes) -> str | None:
    """Why this response is a gate, not the portal's page; None when it is the page.

    A challenge is small and scripted: a large page with links is the portal's, whatever
    words its footer carries.
    """
    head = body[:65536]
    anchors = len(_ANCHOR.findall(head))
    marker = _MARKERS.search(head)
    if status in BLOCKING_STATUSES:
        return f"blocked: HTTP {status}" + (f" ({_text(marker.group(0))})" if marker else "")
    if len(body) > 60_000 or anchors > 5:
        return None
    if marker:
        return f"blocked: challenge page ({_text(marker.group(0))})"
    if status == 200 and anchors == 0 and _SCRIPT.search(head) and _COOKIE_RELOAD.search(head):
        return "blocked: challenge page (a script that sets a cookie or reloads, no links)"
    return None


def _text(marker: bytes) -> str:
    try:
        return marker.decode("utf-8")
    except UnicodeDecodeError:
        return marker.decode("gbk", "replace")
