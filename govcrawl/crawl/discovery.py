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

_YEAR = r"(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*(?:年度|年)?"
_SUBJECT = r"(?:政府信息公开|政务信息公开|信息公开|政务公开)"
# A report names its year, what it is about and what it is, in that order or with the
# subject first: 2017年政府信息公开工作年度报告, XX局2017政府信息公开工作年度报告,
# 政府信息公开工作2017年度报告, 2023年政务公开年报, 2017年政府信息公开公报, and — without
# 公开 — 2017年政府信息(工作)年度报告.
_REPORT = re.compile(
    _YEAR + r".{0,40}?" + _SUBJECT + r"(?:工作)?(?:年度)?(?:报告|年报|公报)"
    r"|" + _YEAR + r".{0,40}?政府信息(?:工作)?(?:年度报告|年报)"
    r"|" + _SUBJECT + r".{0,10}?" + _YEAR + r".{0,6}?(?:报告|年报)")
# A cover letter that sends or publishes a named report: 关于报送《…2017年政府信息公开工作情况》的函.
_COVER_LETTER = re.compile(r"关于(?:报送|上报|呈报|印发|公布|发布|公开)[^《》]{0,20}《[^》]{0,60}" + _SUBJECT
                           + r"[^》]{0,30}(?:报告|年报|公报|工作情况)》")
# What a 年报 column carries beside its reports: readings and charts of a report, work plans
# and their follow-up, self-inspections, summaries, notices about how to write or file the
# reports, website annual statistics, meetings and training.
_NOT_A_REPORT = re.compile(
    r"解读|图解|一图读懂|图文|问答|要点|落实情况|自查|自评|总结|思路|计划|方案|编制|格式|模板|报表|做好|有关事项|"
    r"会议|推进会|培训|表彰|简报|动态|征集|公示|考核|评议|测评|指南|目录|发布会|督查|通报")


def is_report_title(title: str) -> bool:
    """Is this link's title a report (or a cover letter sending one)?  By meaning, not one
    pattern: a year (digits or Chinese, with or without 年), the subject and the kind of
    document, and none of what a 年报 column carries beside its reports.

    '某县发改委2017政府信息公开工作年度报告' yes; '2017 年政府信息工作年度报告' yes;
    '关于报送《某县2017年政府信息公开工作情况》的函' yes; '图解：…年度报告', '…工作要点落实情况',
    '关于做好…年度报告编制发布工作的通知', '…网站年度工作报表', '…自查自评的报告' no.
    """
    text = re.sub(r"\s+", "", fold(title))
    if not text or len(text) > 120:
        return False
    if _COVER_LETTER.search(text) and not re.search(r"做好|编制|格式|模板|有关事项", text):
        return True
    if not _REPORT.search(text) or _NOT_A_REPORT.search(text):
        return False
    return "通知" not in text or bool(re.search(r"关于(?:印发|公布|发布)[^《》]{0,20}《", text))


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
