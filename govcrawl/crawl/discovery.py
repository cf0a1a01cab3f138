"""Network-free helpers for the spider: which links are reports, where the next page is.

Pure functions over a page's text and URL, so they are tested on frozen listing pages.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from govcrawl.extract.normalize import fold

_YEAR = r"(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*年"
_REPORT = re.compile(
    _YEAR + r".{0,40}?(?:政府信息公开|政务信息公开|信息公开|政务公开).{0,8}?(?:工作)?(?:年度)?(?:报告|年报)"
    r"|(?:政府信息公开|政务信息公开|信息公开).{0,10}?" + _YEAR + r"度?.{0,6}?(?:报告|年报)")
_NOT_A_REPORT = re.compile(r"解读|图解|通知|要点|会议|推进会|培训|表彰|简报|动态|征集|公示|考核|评议|测评|指南|目录")
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et")


def is_report_title(title: str) -> bool:
    """'2023年度政府信息公开工作年度报告' yes; '图解：…年度报告', '…工作要点', '关于做好…的通知' no."""
    text = fold(" ".join(title.split()))
    if not text or len(text) > 120:
        return False
    return bool(_REPORT.search(text)) and not _NOT_A_REPORT.search(text)


_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([^'\"]+)['\"]\s*,"
    r"\s*['\"]([^'\"]+)['\"]")
_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|后一页|>|›|»|next)\s*$", re.IGNORECASE)


def trs_pages(html_text: str, url: str) -> list[str]:
    """TRS createPageHTML(N, i, "index", "html"): page k ≥ 1 is index_k.html."""
    match = _CREATE_PAGE.search(html_text)
    if not match:
        return []
    count, current, name, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    if current != 0:
        return []  # pages are enumerated once, from the first page
    return [urljoin(url, f"{name}_{k}.{ext}") for k in range(1, min(count, 500))]


def next_links(links: list[tuple[str, str]], url: str) -> list[str]:
    """Pager links: 下一页 and friends, pageNum= and index_N pages of the same column."""
    out = []
    base = urlsplit(url)
    folder = base.path.rsplit("/", 1)[0] + "/"
    for href, text in links:
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        absolute = urljoin(url, href)
        parts = urlsplit(absolute)
        if parts.netloc != base.netloc:
            continue
        same_column = parts.path.startswith(folder)
        if _NEXT_TEXT.match(text or "") or (same_column and (re.search(r"[?&]pageNum=\d+", absolute)
                              or re.search(r"/index_\d+\.s?html?$", parts.path))):
            out.append(absolute)
    return list(dict.fromkeys(out))


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


def guess_listing_url(report_url: str) -> str:
    """A report's 年报 column, from its URL: usually the report page's parent folder.

    TRS ``…/col/YYYYMM/tYYYYMMDD_id.html`` → ``…/col/``; Guangdong ``…/col/content/post_id.html``
    → ``…/col/``; Hanweb ``/art/Y/M/D/art_<col>_<id>.html`` → ``/col/col<col>/index.html``.
    """
    parts = urlsplit(report_url)
    path = parts.path
    hanweb = re.search(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_(\d+)_\d+\.s?html?$", path)
    if hanweb:
        return f"{parts.scheme}://{parts.netloc}/col/col{hanweb.group(1)}/index.html"
    folder = path.rsplit("/", 1)[0]
    folder = re.sub(r"/(?:\d{6}|\d{4}-\d{2}-\d{2}|\d{8}|content|\d{4}/\d{2})$", "", folder)
    return f"{parts.scheme}://{parts.netloc}{folder}/"
