"""Network-free helpers for the spider: which links are reports, where a report's column is.

Pure functions over a link's text and URL, so they are tested on frozen listing pages.
How a listing pages is its CMS family's business (govcrawl.crawl.cms).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from govcrawl.extract.links import ATTACHMENT_EXTENSIONS, attachment_links, is_attachment
from govcrawl.extract.normalize import fold

__all__ = ["ATTACHMENT_EXTENSIONS", "attachment_links", "guess_listing_url", "is_attachment", "is_report_title"]

_YEAR = r"(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*年"
_REPORT = re.compile(
    _YEAR + r".{0,40}?(?:政府信息公开|政务信息公开|信息公开|政务公开).{0,8}?(?:工作)?(?:年度)?(?:报告|年报)"
    r"|(?:政府信息公开|政务信息公开|信息公开).{0,10}?" + _YEAR + r"度?.{0,6}?(?:报告|年报)")
_NOT_A_REPORT = re.compile(r"解读|图解|通知|要点|会议|推进会|培训|表彰|简报|动态|征集|公示|考核|评议|测评|指南|目录")


def is_report_title(title: str) -> bool:
    """'2023年度政府信息公开工作年度报告' yes; '图解：…年度报告', '…工作要点', '关于做好…的通知' no."""
    text = fold(" ".join(title.split()))
    if not text or len(text) > 120:
        return False
    return bool(_REPORT.search(text)) and not _NOT_A_REPORT.search(text)


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
