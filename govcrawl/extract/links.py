"""Attachment links of a report page: a scan of its bytes (pure; the crawl follows them,
the archive records them, reextract finds them again from the stored bytes)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et")


def is_attachment(href: str) -> bool:
    path = urlsplit(href).path.lower()
    return path.endswith(ATTACHMENT_EXTENSIONS)


_EXTENSIONS_RE = b"|".join(ext[1:].encode() for ext in sorted(ATTACHMENT_EXTENSIONS, key=len, reverse=True))
# An href whose path ends in an attachment extension (a query or fragment may follow): one
# scan in C, instead of a test per link — a portal page has hundreds of navigation links.
_ATTACHMENT_HREF = re.compile(
    rb"""href\s*=\s*["']?([^"'\s>]*?\.(?:""" + _EXTENSIONS_RE + rb""")(?:[?#][^"'\s>]*)?)(?=["'\s>])""",
    re.IGNORECASE)
# Most pages link no attachment at all: a scan for the extensions alone rules them out ten
# times faster than the href scan.
_ANY_EXTENSION = re.compile(rb"""\.(?:""" + _EXTENSIONS_RE + rb""")(?=["'\s>?#])""", re.IGNORECASE)


def attachment_links(html: bytes | str, url: str, allowed_hosts: set[str] | None = None) -> list[str]:
    """Attachment URLs (pdf, doc, docx, wps, xls, xlsx, et) linked from a report page.

    A scan of href attributes, not a parse: it runs on every report page of a crawl.
    """
    data = html.encode("utf-8") if isinstance(html, str) else html
    out = []
    if not _ANY_EXTENSION.search(data):
        return []
    for match in _ATTACHMENT_HREF.finditer(data):
        href = match.group(1).decode("latin-1").strip()
        if not is_attachment(href):
            continue
        absolute = urljoin(url, href)
        host = urlsplit(absolute).hostname
        if allowed_hosts is None or host in allowed_hosts:
            out.append(absolute)
    return list(dict.fromkeys(out))
