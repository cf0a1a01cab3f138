"""Attachment links of a report page: a scan of its bytes (pure; the crawl follows them,
the archive records them, reextract finds them again from the stored bytes)."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et")


def is_attachment(href: str) -> bool:
    """A file by its URL: its path ends in an attachment's extension, or its query names one
    (``downfile.jsp?filename=2107.pdf``, as Hanweb and others serve downloads)."""
    parts = urlsplit(href)
    if parts.path.lower().endswith(ATTACHMENT_EXTENSIONS):
        return True
    return any(value.lower().endswith(ATTACHMENT_EXTENSIONS)
               for value in re.findall(r"=([^&]+)", parts.query))


_EXTENSIONS_RE = b"|".join(ext[1:].encode() for ext in sorted(ATTACHMENT_EXTENSIONS, key=len, reverse=True))
# An href whose path ends in an attachment extension (a query or fragment may follow): one
# scan in C, instead of a test per link — a portal page has hundreds of navigation links.
_ATTACHMENT_HREF = re.compile(
    rb"""href\s*=\s*["']?([^"'\s>]*?\.(?:""" + _EXTENSIONS_RE + rb""")(?:[?#][^"'\s>]*)?)(?=["'\s>])""",
    re.IGNORECASE)
# Most pages link no attachment at all: a scan for the extensions alone rules them out ten
# times faster than the href scan.
_ANY_EXTENSION = re.compile(rb"""\.(?:""" + _EXTENSIONS_RE + rb""")(?=["'\s>?#&<])""", re.IGNORECASE)
# A link whose text names a file ('附件：…年度报告.doc') though its URL does not (a download
# servlet: /download?id=1234).
_NAMED_FILE = re.compile(
    rb"""<a\b[^>]*?href\s*=\s*["']?([^"'\s>]+)[^>]*>\s*([^<]{1,200}?\.(?:""" + _EXTENSIONS_RE + rb"""))\s*</a>""",
    re.IGNORECASE)


def attachment_links(html: bytes | str, url: str, allowed_hosts: set[str] | None = None) -> list[str]:
    """Attachment URLs (pdf, doc, docx, wps, xls, xlsx, et) linked from a report page.

    A scan of href attributes, not a parse: it runs on every report page of a crawl.
    """
    data = html.encode("utf-8") if isinstance(html, str) else html
    out = []
    if not _ANY_EXTENSION.search(data):
        return []
    named = [m.group(1) for m in _NAMED_FILE.finditer(data)]
    for href_bytes in [m.group(1) for m in _ATTACHMENT_HREF.finditer(data)] + named:
        href = _text(href_bytes)
        if href_bytes not in named and not is_attachment(href):
            continue
        if href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = urljoin(url, href)
        host = urlsplit(absolute).hostname
        if allowed_hosts is None or host in allowed_hosts:
            out.append(absolute)
    return list(dict.fromkeys(out))


def _text(href: bytes) -> str:
    """An href's bytes as the page wrote them: UTF-8 or GBK file names, entities unescaped."""
    for codec in ("utf-8", "gb18030"):
        try:
            return html.unescape(href.decode(codec)).strip()
        except UnicodeDecodeError:
            continue
    return html.unescape(href.decode("latin-1")).strip()
