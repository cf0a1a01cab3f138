"""The demo portal network: district portals of three CMS families, with ground truth.

A deterministic generator (same seed → same bytes) writes a static site per portal host
and a manifest of every report.  Portals are modelled on CMS families seen on real
district portals (report-format.md §7c):

- ``trs``: TRS WCM — GBK pages, ``createPageHTML(N, i, "index", "html")`` paging to
  ``index_1.html``…, details ``/YYYYMM/tYYYYMMDD_<id>.html``, TRS meta tags;
- ``hanweb``: 大汉 — listings ``/col/col<id>/index.html?uid=…&pageNum=N``, details
  ``/art/Y/M/D/art_<col>_<id>.html``;
- ``gd``: the Guangdong platform — ``content/post_<id>.html`` details, ``index_2.html``…
  pages reached by 下一页 links.

Epoch 2 evolves the network as time does: one report silently revised, one removed,
a new year's reports added (listings shift).  Everything in the text is generated from
the project's own templates.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from govcrawl.demo import chrome
from govcrawl.demo import samples as S
from govcrawl.demo.narrative import narrative
from govcrawl.extract import keys as K
from govcrawl.extract.checks import run_checks

FIRST_YEAR = 2008  # the first reports under the 2008 regulations
LAST_YEAR = {1: 2024, 2: 2025}
PAGE_SIZE = 20
DEFAULT_SEED = 20250101

# How a portal lists its reports (its listing scheme), and the CMS family that reads it:
# TRS createPageHTML, Hanweb pageNum links, Guangdong 下一页, Fujian's JS pager over static
# pages, Hanweb's jpage (a data island, then the data proxy's XML), Guangdong's gkmlpt JSON API.
STYLES = {"trs": "trs", "hanweb": "hanweb", "gd": "gd", "fujian": "fujian", "jpage": "hanweb", "gkmlpt": "gkmlpt"}
# (pinyin slug, district name, city, province, demo division code, listing style, units)
DISTRICTS = (
    ("donghu", "东湖区", "示范市", "示范省", "990102", "trs", 10),
    ("xishan", "西山区", "示范市", "示范省", "990103", "hanweb", 10),
    ("nanhu", "南湖县", "样例市", "样例省", "990221", "gd", 10),
    ("pingshan", "屏山县", "样例市", "样例省", "990222", "fujian", 4),
    ("beihu", "北湖区", "示范市", "示范省", "990104", "jpage", 4),
    ("jiangbei", "江北区", "样例市", "样例省", "990223", "gkmlpt", 4),
)
DEPARTMENTS = ("发展和改革局", "教育局", "财政局", "人力资源和社会保障局", "生态环境局",
               "住房和城乡建设局", "卫生健康委员会", "市场监督管理局")
STREETS = ("城关街道办事处", "新华街道办事处", "青山镇人民政府", "柳河乡人民政府")
SYLLABLES = ("东", "西", "南", "北", "中", "长", "清", "安", "平", "永", "新", "华", "明", "阳", "江",
             "河", "山", "湖", "林", "丰")


def sub_seed(*parts: object) -> int:
    """A stable seed from names (Python's hash() differs between runs)."""
    return zlib.crc32("|".join(map(str, parts)).encode("utf-8"))


@dataclass
class Unit:
    slug: str
    name: str  # the full agency name
    level: str  # government | department | street
    column: str  # listing column slug on its portal


@dataclass
class Portal:
    index: int
    slug: str
    district: str
    city: str
    province: str
    code: str
    style: str  # one of STYLES
    units: list[Unit] = field(default_factory=list)

    @property
    def cms(self) -> str:
        return STYLES[self.style]

    @property
    def id(self) -> str:
        return f"{self.code}-{self.slug}"

    @property
    def host(self) -> str:
        return f"www.{self.slug}.gov.test"

    @property
    def encoding(self) -> str:
        return "gbk" if self.cms == "trs" else "utf-8"

    @property
    def government(self) -> str:
        return f"{self.city}{self.district}人民政府"


def build_portals(scale: int | None = None, seed: int = DEFAULT_SEED) -> list[Portal]:
    """The default three portals, or ``scale`` portals for benchmarks."""
    count = scale or len(DISTRICTS)
    portals = []
    for index in range(count):
        if index < len(DISTRICTS):
            slug, district, city, province, code, style, size = DISTRICTS[index]
            size = 10 if scale else size  # benchmarks: every portal full size
        else:
            # Distinct names (agency + year identifies a report): syllable pairs, then triples.
            k = index - len(DISTRICTS)
            width = len(SYLLABLES)
            digits = [k % width, k // width] if k < width ** 2 else \
                [(k - width ** 2) % width, (k - width ** 2) // width % width, (k - width ** 2) // width ** 2]
            name = "".join(SYLLABLES[d % width] for d in digits)
            slug, district, city, province = f"d{index:04d}", f"{name}区", "规模市", "规模省"
            code = f"98{index // 100 % 100:02d}{index % 100:02d}"
            style, size = tuple(STYLES)[index % len(STYLES)], 10
        portal = Portal(index, slug, district, city, province, code, style)
        rng = random.Random(sub_seed(seed, "units", index))
        prefix = f"{city}{district}"
        departments, streets = (6, 3) if size >= 10 else (size - 2, 1)
        portal.units.append(Unit("zf", portal.government, "government", "zf"))
        for n, dept in enumerate(rng.sample(DEPARTMENTS, departments)):
            portal.units.append(Unit(f"bm{n + 1}", f"{prefix}{dept}", "department", f"bm{n + 1}"))
        for n, street in enumerate(rng.sample(STREETS, streets)):
            portal.units.append(Unit(f"jd{n + 1}", f"{prefix}{street}", "street", f"jd{n + 1}"))
        portals.append(portal)
    return portals


# --- reports ----------------------------------------------------------------------------

@dataclass
class Report:
    portal: Portal
    unit: Unit
    year: int
    spec: S.ReportSpec
    kind: str = "html"  # html | pdf | docx | image
    doc_id: int = 0
    variant: int = 0
    urls: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    also_in_aggregate: bool = False
    inconsistent: str | None = None
    page_charset: str = "declared"  # declared | missing | wrong_meta | wrong_header
    listing_title_short: bool = False
    revised: bool = False

    @property
    def id(self) -> str:
        return f"{self.portal.id}/{self.unit.slug}/{self.year}"

    @property
    def published(self) -> date:
        return date.fromisoformat(self.spec.published)

    @property
    def deadline(self) -> date:
        if self.year <= 2018 or self.unit.level != "department":
            return date(self.year + 1, 3, 31)
        return date(self.year + 1, 1, 31)


def _template(year: int) -> str:
    return "legacy" if year <= 2018 else S.K.T2019 if year <= 2020 else S.K.T2021


_QUIRK_POOL = ("half_width", "fullwidth_dot", "straight_quotes", "comma_in_other", "typo",
               "blank_zeros", "slash_zeros", "split_table", "money_in_wan", "thousands",
               "spaced_labels", "extra_row", "single_other_row", "no_agency_in_title")


def build_reports(portal: Portal, seed: int, last_year: int) -> list[Report]:
    """Every report of a portal's units, figures carried over from year to year."""
    reports: list[Report] = []
    scale_of = {"government": 160, "department": 25, "street": 4}
    for unit in portal.units:
        carried: dict[str, int] = {}
        for year in range(FIRST_YEAR, last_year + 1):
            rng = random.Random(sub_seed(seed, portal.index, unit.slug, year))
            template = _template(year)
            quirks: set[str] = set()
            if template != "legacy" and rng.random() < 0.5:
                quirks.update(rng.sample(_QUIRK_POOL, rng.randint(1, 3)))
            if template == S.K.T2019:
                quirks.discard("single_other_row")
                quirks.discard("comma_in_other")
            if "blank_zeros" in quirks:
                quirks.discard("slash_zeros")
            figures_template = template if template != "legacy" else S.K.T2019
            metrics = S.generate_figures(rng, figures_template, scale_of[unit.level], carried)
            carried = {c.key: int(metrics[f"requests.carried_forward.{c.key}"])
                       for c in K.REQUEST_COLUMNS[:-1]}
            if template == S.K.T2021 and "single_other_row" in quirks:
                metrics = {k: v for k, v in metrics.items()
                           if not k.startswith("requests.other.") or k.count(".") == 2}
            published = _publication_date(rng, unit, year)
            contact = _contact(rng, portal, unit, year)
            spec = S.ReportSpec(unit.name, year, template, metrics, contact, published.isoformat(),
                                frozenset(quirks), items_published=rng.randint(20, 4000))
            unit_index = portal.units.index(unit)
            report = Report(portal, unit, year, spec, variant=rng.randint(0, 2),
                            doc_id=100000 + portal.index * 10000 + unit_index * 100 + year - 2000)
            draw = rng.random()
            if portal.cms == "trs" and draw < 0.05:
                report.page_charset = "missing"
            elif portal.cms == "trs" and draw < 0.08:
                report.page_charset = "wrong_meta"
            elif draw > 0.975:
                report.page_charset = "wrong_header"
            report.listing_title_short = rng.random() < 0.15
            if template == "legacy":
                report.spec.metrics = {k: metrics[k] for k in
                                       ("requests.new.total", "appeals.review.total")}
                report.spec.metrics["proactive.items_published.total"] = spec.items_published
                if rng.random() < 0.4:
                    spec.local_rows = {"主动公开政府信息数": spec.items_published,
                                       "收到申请数": int(metrics["requests.new.total"]),
                                       "行政复议数": int(metrics["appeals.review.total"])}
            reports.append(report)
    _plant_the_mess(portal, reports, seed)
    return _plant_the_gaps(portal, reports)


def _plant_the_gaps(portal: Portal, reports: list[Report]) -> list[Report]:
    """What longitudinal research trips over: a unit that skipped a year, and a unit
    whose 上年结转 does not match the 结转下年度 it reported the year before."""
    if portal.index == 0:  # a street office that never published its 2022 report
        reports = [r for r in reports if not (r.unit.slug == "jd1" and r.year == 2022)]
    if portal.index == 1:  # a department that recounted its carry-over
        report = next(r for r in reports if r.unit.slug == "bm1" and r.year == 2022)
        m = report.spec.metrics
        column = next(c.key for c in K.REQUEST_COLUMNS[:-1] if m[f"requests.new.{c.key}"] > 0)
        for row, delta in (("carried_over", 1), ("new", -1)):  # the balance still holds
            m[f"requests.{row}.{column}"] += delta
            m[f"requests.{row}.total"] += delta
    return reports


def _publication_date(rng: random.Random, unit: Unit, year: int) -> date:
    start = date(year + 1, 1, 8)
    latest = 20 if unit.level == "department" else 75
    published = start + timedelta(days=rng.randint(0, latest))
    if rng.random() < 0.06:  # late, as a few agencies are
        published = date(year + 1, 4, 1) + timedelta(days=rng.randint(0, 60))
    return published


def _contact(rng: random.Random, portal: Portal, unit: Unit, year: int) -> dict[str, str | None]:
    number = rng.randint(10, 99)
    office = "办公室" if unit.level != "street" else "党政办公室"
    contact: dict[str, str | None] = {
        "agency": f"{unit.name}{office}",
        "address": f"{portal.city}{portal.district}{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}路"
                   f"{rng.randint(1, 300)}号",
        "postcode": f"{portal.code[:4]}{rng.randint(10, 99)}",
        "phone": f"0{portal.code[2:5]}-{rng.randint(2, 8)}{rng.randint(100000, 999999)}",
        "fax": None, "email": None,
    }
    if rng.random() < 0.4:
        contact["fax"] = f"0{portal.code[2:5]}-{rng.randint(2, 8)}{rng.randint(100000, 999999)}"
    if year >= 2016 and rng.random() < 0.5:
        contact["email"] = f"gk{number}@{portal.slug}.gov.test"
    return contact


def _plant_the_mess(portal: Portal, reports: list[Report], seed: int) -> None:
    """Attachment-only reports, an image-table report, a duplicate, inconsistencies."""
    rng = random.Random(sub_seed(seed, "mess", portal.index))
    # Chosen among years every epoch has, so that epochs agree on them.
    modern = [r for r in reports if r.spec.template != "legacy" and not r.spec.quirks
              and r.year <= 2023]
    rng.shuffle(modern)
    if portal.index < 3 and len(modern) >= 3:
        modern.pop().kind = "pdf"
        if portal.index == 0:
            modern.pop().kind = "docx"
        modern.pop().kind = "image"
    departments = [r for r in reports if r.unit.level == "department" and r.kind == "html"
                   and 2019 <= r.year <= 2023]
    if departments:
        rng.choice(departments).also_in_aggregate = True
    candidates = [r for r in reports if r.kind == "html" and r.spec.template != "legacy"
                  and r.year <= 2023 and not r.also_in_aggregate]
    for report in rng.sample(candidates, min(2, len(candidates))):
        _make_inconsistent(report, rng)


def _make_inconsistent(report: Report, rng: random.Random) -> None:
    """The kinds of slip real agencies make: a total that does not add up."""
    m = report.spec.metrics
    if rng.random() < 0.5:
        m["requests.results_total.total"] = m["requests.results_total.total"] + 1
        report.inconsistent = "results_total.total one more than its parts"
    else:
        m["appeals.review.total"] = m["appeals.review.total"] + 2
        report.inconsistent = "appeals.review.total two more than its parts"


def expected_failing_checks(report: Report) -> list[str]:
    """The rules the report's own figures fail (the checks are arithmetic on them)."""
    if report.spec.template == "legacy" or report.kind == "image":
        return []
    metrics = report.spec.metrics
    checks = run_checks(metrics, report.spec.template, set(metrics))
    return sorted({c["rule"] for c in checks if c["status"] == "fail"})


def expected_metrics(report: Report) -> dict[str, Any]:
    if report.kind == "image":
        m = report.spec.metrics
        return {"requests.new.total": m["requests.new.total"],
                "requests.results_total.total": m["requests.results_total.total"],
                "requests.carried_forward.total": m["requests.carried_forward.total"],
                "appeals.review.total": m["appeals.review.total"],
                "proactive.items_published.total": report.spec.items_published}
    return dict(report.spec.metrics)


# --- URLs per CMS family -------------------------------------------------------------------

def column_path(portal: Portal, column: str) -> str:
    if portal.style in ("hanweb", "jpage"):
        return f"/col/col{1000 + sum(map(ord, column)) + portal.index}/"
    if portal.style == "gd":
        return f"/zwgk/zfxxgknb/{column}/"
    if portal.style == "gkmlpt":
        return f"/gkmlpt/api/all/{2000 + sum(map(ord, column)) + portal.index}"
    return f"/zwgk/xxgknb/{column}/"


def _column_id(portal: Portal, column: str) -> str:
    return column_path(portal, column).strip("/").rsplit("col", 1)[-1].rsplit("/", 1)[-1]


def listing_url(portal: Portal, column: str, page: int) -> str:
    """Page 0 is the column's index; the rest follow each style's scheme."""
    base = column_path(portal, column)
    if portal.style == "gkmlpt":
        return f"{base}?page={page + 1}&sid={757000 + portal.index}"
    if portal.style == "jpage" and page > 0:
        return (f"/module/web/jpage/dataproxy.jsp?page={page}&webid={60 + portal.index}&path=%2F"
                f"&columnid={_column_id(portal, column)}&unitid={6080000 + portal.index}&permissiontype=0")
    if portal.style == "fujian":
        return f"{base}index.htm" if page == 0 else f"{base}index_{page}.htm"
    if page == 0:
        return f"{base}index.html"
    if portal.style == "trs":
        return f"{base}index_{page}.html"
    if portal.style == "gd":
        return f"{base}index_{page + 1}.html"
    uid = 5000 + portal.index
    return f"{base}index.html?uid={uid}&pageNum={page + 1}"


def detail_url(portal: Portal, column: str, day: date, doc_id: int) -> str:
    base = column_path(portal, column)
    if portal.style == "trs":
        return f"{base}{day:%Y%m}/t{day:%Y%m%d}_{doc_id}.html"
    if portal.style == "fujian":
        return f"{base}{day:%Y%m}/t{day:%Y%m%d}_{doc_id}.htm"
    if portal.style == "gd":
        return f"{base}content/post_{doc_id}.html"
    if portal.style == "gkmlpt":
        return f"/gkmlpt/content/{doc_id // 1000000}/{doc_id // 1000}/post_{doc_id}.html"
    return f"/art/{day.year}/{day.month}/{day.day}/art_{_column_id(portal, column)}_{doc_id}.html"


# --- pages --------------------------------------------------------------------------------

def _chrome(portal: Portal, title: str, body: str, charset: str | None, meta: str = "",
            sidebar_seed: int | None = None, sidebar_before: date | None = None) -> str:
    """A page of the portal: its frame (govcrawl.demo.chrome) around ``body``."""
    return chrome.page(portal, title, body, charset, meta, sidebar_seed, sidebar_before)


def report_page(report: Report, column_name: str, charset: str | None, url: str) -> str:
    portal, spec = report.portal, report.spec
    title = spec.report_title
    shown = f"{spec.year}年度政府信息公开工作年度报告" if "no_agency_in_title" in spec.quirks else title
    meta = ""
    if portal.style in ("trs", "fujian"):
        meta = (f'<meta name="SiteName" content="{html.escape(portal.government)}">'
                f'<meta name="ColumnName" content="{html.escape(column_name)}">'
                f'<meta name="ArticleTitle" content="{html.escape(shown)}">'
                f'<meta name="PubDate" content="{spec.published} 10:00">')
    if report.kind in ("pdf", "docx"):
        link = report.attachments[0].rsplit("/", 1)[-1]
        content = (f"<p>{html.escape(spec.report_title)}全文见附件。</p>"
                   f'<p>附件：<a href="{link}">{html.escape(spec.report_title)}.{report.kind}</a></p>')
    else:
        # Most editors paste from Word; one page in four comes from the CMS's own editor.
        content = S.report_body_html(spec, report.variant, image_tables=report.kind == "image",
                                     word=report.doc_id % 4 != 0,
                                     extra=narrative(sub_seed("narrative", report.id),
                                                     legacy=spec.template == "legacy"))
    body = (f'<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; {html.escape(column_name)}</div>\n'
            f'<div class="article"><h1>{html.escape(shown)}</h1>\n'
            f'<div class="info">发布时间：{spec.published} 信息来源：{html.escape(spec.agency)}</div>\n'
            f'<div class="content">{content}</div></div>')
    return _chrome(portal, shown, body, charset, meta, sidebar_seed=sub_seed("sidebar", report.id, url),
                   sidebar_before=spec.published)


def listing_page(portal: Portal, column_name: str, items: list[tuple[str, str, date]],
                 page: int, pages: int, column: str, total: int) -> tuple[str, str | None]:
    """One listing page as the portal's style serves it, and its content type (None: HTML)."""
    rows = "\n".join(f'<li><a href="{href}" title="{html.escape(title)}">{html.escape(title)}</a>'
                     f"<span>{day.isoformat()}</span></li>" for title, href, day in items)
    if portal.style == "gkmlpt":
        articles = [{"id": int(href.rsplit("_", 1)[1].split(".")[0]), "title": title,
                     "url": f"http://{portal.host}{href}", "date": int(datetime_of(day))}
                    for title, href, day in items]
        return json.dumps({"articles": articles, "classify": {"name": column_name}, "total": total,
                           "page_size": PAGE_SIZE}, ensure_ascii=False), "application/json"
    if portal.style == "jpage":
        records = "\n".join(f"<record><![CDATA[\n{row}]]></record>" for row in rows.split("\n") if row)
        nextgroup = (f'<nextgroup><![CDATA[<a href="{html.escape(listing_url(portal, column, page + 1))}"></a>]]>'
                     f"</nextgroup>" if page + 1 < pages else "")
        store = f"<datastore>\n{nextgroup}\n<recordset>\n{records}\n</recordset>\n</datastore>"
        if page > 0:
            return f'<?xml version="1.0" encoding="UTF-8"?>\n{store}\n', "text/xml; charset=utf-8"
        body = (f'<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; {html.escape(column_name)}</div>\n'
                f'<div class="list"><h2>{html.escape(column_name)}</h2><div id="{6080000 + portal.index}">'
                f'<script type="text/xml">{store}</script></div></div>'
                f'<script src="/module/jslib/jquery/jquery.js"></script>')
        return _chrome(portal, column_name, body, "utf-8"), None
    pager = ""
    if portal.style == "trs":
        pager = (f'<script type="text/javascript">\nvar currentPage = {page};\nvar countPage = {pages};\n'
                 f'createPageHTML({pages}, {page}, "index", "html");\n</script>')
    elif portal.style == "fujian":
        pager = ('<div class="pagebar" ms-include-src="\'/pgBar_xxgk.html\'"></div>\n<script>\n'
                 'require(["list2.trsapi", "tools"], function(listModel, tools) {\n  listModel({\n'
                 f'    quickMode: "动静结合",\n    maxStaticIndex: {pages - 1},\n'
                 '    listArgs: {channelid: SiteInfo.searchId, sortfield: "-docorderpri,-docreltime"},\n'
                 f"    pagebar: {{prepage: {PAGE_SIZE}, recordCount: '{total}', pgTemp: \"pgBar_xxgk.html\", "
                 'pgCountMode: "recordCount", displayNum: 2}\n  });\n});\n</script>')
    elif page + 1 < pages:
        pager = f'<a class="next" href="{listing_url(portal, column, page + 1)}">下一页</a>'
    if page > 0 and portal.style not in ("trs", "fujian"):
        pager = f'<a href="{listing_url(portal, column, page - 1)}">上一页</a> ' + pager
    body = (f'<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; {html.escape(column_name)}</div>\n'
            f'<div class="list"><h2>{html.escape(column_name)}</h2><ul>\n{rows}\n</ul>'
            f'<div class="pager">{pager}</div></div>')
    return _chrome(portal, column_name, body, "utf-8" if portal.cms != "trs" else "gbk"), None


def datetime_of(day: date) -> float:
    """A day as the Unix time of its midnight in China (gkmlpt's dates)."""
    import datetime as dt

    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()


# --- the site -------------------------------------------------------------------------------

@dataclass
class Site:
    """Generated files of one epoch: host → path(?query) → bytes, plus headers hints."""

    files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    header_charset: dict[tuple[str, str], str] = field(default_factory=dict)
    last_modified: dict[tuple[str, str], str] = field(default_factory=dict)
    content_type: dict[tuple[str, str], str] = field(default_factory=dict)  # not HTML: XML, JSON

    def put(self, host: str, path: str, data: bytes, modified: date | None = None,
            header_charset: str | None = None, content_type: str | None = None) -> None:
        self.files[(host, path)] = data
        if header_charset:
            self.header_charset[(host, path)] = header_charset
        if content_type:
            self.content_type[(host, path)] = content_type
        if modified:
            self.last_modified[(host, path)] = modified.isoformat()


_NEWS_KINDS = {"plan": "工作要点", "explainer": "解读材料", "notice": "通知", "news": "新闻"}


def _news_items(portal: Portal, last_year: int) -> list[tuple[str, str, int]]:
    """Things real 年报 columns also list: work plans, 解读 pages, notices, news."""
    items = []
    for year in range(2021, last_year + 1):
        items.append((f"{portal.government}{year + 1}年政务公开工作要点", "plan", year))
        items.append((f"图解：{portal.district}{year}年度政府信息公开工作年度报告", "explainer", year))
        items.append((f"关于做好{year}年度政府信息公开工作年度报告编制发布工作的通知", "notice", year))
        items.append((f"{portal.district}召开{year + 1}年政务公开工作推进会", "news", year))
    return items


def generate(out: Path, epoch: int = 1, scale: int | None = None, seed: int = DEFAULT_SEED,
             write: bool = True) -> dict[str, Any]:
    """Write the network of ``epoch`` under ``out`` and return its manifest."""
    last_year = LAST_YEAR[epoch]
    portals = build_portals(scale, seed)
    manifest: dict[str, Any] = {"epoch": epoch, "seed": seed, "portals": [], "reports": [],
                                "non_reports": [], "dead_links": [], "deleted": [],
                                "changes": {"revised": [], "removed": [], "added": []}}
    out.mkdir(parents=True, exist_ok=True)
    reports_file = (out / "reports.jsonl").open("w", encoding="utf-8") if write else None
    for portal in portals:
        site = Site()
        reports = build_reports(portal, seed, last_year)
        if epoch >= 2:
            _evolve(portal, reports, seed, manifest)
        entry = _write_portal(site, portal, reports, seed, last_year, epoch, manifest)
        manifest["portals"].append(entry)
        for report in reports:
            if report.kind == "removed":
                continue
            record = _manifest_entry(report)
            manifest["reports"].append({"id": record["id"]}) if scale else \
                manifest["reports"].append(record)
            if reports_file:
                reports_file.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        if write:
            _flush(site, out)
    if reports_file:
        reports_file.close()
    manifest["report_count"] = len(manifest["reports"])
    if write:
        (out / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        write_registry(manifest, out / REGISTRY)
    return manifest


REGISTRY = "portals.yml"  # the network's own registry, beside its manifest


def write_registry(manifest: dict[str, Any], path: Path) -> None:
    """The demo portals as a registry file (govcrawl.registry reads it like data/portals.yml)."""
    import yaml

    entries = [{"id": p["id"], "province": p["province"], "city": p["city"], "district": p["district"],
                "code": p["code"], "homepage": p["homepage"], "listing_urls": p["listing_urls"],
                "allowed_domains": p["allowed_domains"], "cms": p["cms"], "verified": True, "demo": True}
               for p in manifest["portals"]]
    path.write_text("# The demo network's portals (generated with it; not the production registry).\n"
                    + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _manifest_entry(report: Report) -> dict[str, Any]:
    spec = report.spec
    return {
        "id": report.id, "portal": report.portal.id, "unit": report.unit.slug,
        "level": report.unit.level, "agency": spec.agency, "year": report.year,
        "template": spec.template, "kind": report.kind, "title": spec.report_title,
        "urls": [f"http://{report.portal.host}{u}" for u in report.urls],
        "attachments": [f"http://{report.portal.host}{u}" for u in report.attachments],
        "published": spec.published, "deadline": report.deadline.isoformat(),
        "late": report.published > report.deadline,
        "metrics": expected_metrics(report), "contact": spec.contact,
        "failing_checks": expected_failing_checks(report), "quirks": sorted(spec.quirks),
        "inconsistent": report.inconsistent,
    }


def _evolve(portal: Portal, reports: list[Report], seed: int, manifest: dict[str, Any]) -> None:
    """Epoch 2: one report silently revised, one removed, the new year's reports added."""
    rng = random.Random(sub_seed(seed, "epoch2", portal.index))
    candidates = [r for r in reports if r.kind == "html" and r.spec.template == S.K.T2021
                  and r.year < LAST_YEAR[1] and not r.also_in_aggregate and r.inconsistent is None]
    revised = rng.choice(candidates)
    m = revised.spec.metrics
    for key in ("requests.granted.natural_person", "requests.granted.total",
                "requests.results_total.natural_person", "requests.results_total.total",
                "requests.new.natural_person", "requests.new.total"):
        m[key] = m[key] + 1  # a corrected count: one more request, granted
    revised.revised = True
    manifest["changes"]["revised"].append(revised.id)
    removable = [r for r in candidates if r is not revised]
    removed = rng.choice(removable)
    removed.kind = "removed"
    manifest["changes"]["removed"].append(removed.id)
    manifest["changes"]["added"] += [r.id for r in reports if r.year == LAST_YEAR[2]]


def _column_name(portal: Portal, unit: Unit | None) -> str:
    if unit is None:
        return "政府信息公开年报"
    return f"{unit.name.removeprefix(portal.city + portal.district)}信息公开年报"


def _write_portal(site: Site, portal: Portal, reports: list[Report], seed: int, last_year: int,
                  epoch: int, manifest: dict[str, Any]) -> dict[str, Any]:
    """Detail pages, attachments, listings, robots.txt and home page of one portal."""
    host = portal.host
    base = f"http://{host}"
    columns: dict[str, list[tuple[str, str, date]]] = {"zf": []}
    for unit in portal.units:
        if unit.level == "department":
            columns[unit.column] = []
    for report in reports:
        day = report.published
        column = report.unit.column if report.unit.level == "department" else "zf"
        path = detail_url(portal, column, day, report.doc_id)
        removed = report.kind == "removed"
        report.urls = [path]
        if report.kind in ("pdf", "docx"):
            stem = path.rsplit("/", 1)[0] + f"/P0{report.doc_id}"
            report.attachments = [f"{stem}.{report.kind}"]
        if report.also_in_aggregate:
            report.urls.append(detail_url(portal, "zf", day, report.doc_id + 500000))
        if removed:
            continue  # gone from its portal: no page, no listing entry (a 404)
        title = report.spec.report_title
        if "no_agency_in_title" in report.spec.quirks or report.listing_title_short:
            title = f"{report.year}年度政府信息公开工作年度报告"  # listing titles often drop the agency
        for url in report.urls:
            col = column if url == report.urls[0] else "zf"
            columns[col].append((title, url, day))
            charset = {"missing": None, "wrong_meta": "utf-8"}.get(report.page_charset,
                                                                    portal.encoding)
            page = report_page(report, _column_name(portal, report.unit if col != "zf" else None),
                               charset, url)
            modified = day + timedelta(days=200) if report.revised else day
            wrong = report.page_charset == "wrong_header" and portal.encoding != "utf-8"
            site.put(host, url, page.encode(portal.encoding, "replace"), modified,
                     header_charset=("utf-8" if wrong else "gbk") if report.page_charset ==
                     "wrong_header" else None)
        if report.kind == "pdf":
            from govcrawl.demo.attachments import render_pdf
            site.put(host, report.attachments[0], render_pdf(report.spec), day)
        elif report.kind == "docx":
            from govcrawl.demo.attachments import render_docx
            site.put(host, report.attachments[0], render_docx(report.spec), day)
        elif report.kind == "image":
            from govcrawl.demo.attachments import placeholder_png
            folder = report.urls[0].rsplit("/", 1)[0]
            for n in (2, 3, 4):
                site.put(host, f"{folder}/table{n}.png", placeholder_png(shade=180 + n), day)
    # non-report items in the aggregate column, a dead link and a deleted page
    for n, (title, kind, year) in enumerate(_news_items(portal, last_year)):
        day = date(year + 1, 1 + n % 4, 5 + n % 4)
        url = detail_url(portal, "zf", day, 900000 + portal.index * 1000 + n)
        columns["zf"].append((title, url, day))
        text = f"<p>{html.escape(title)}。本页面为{_NEWS_KINDS[kind]}。</p>"
        page = _chrome(portal, title, f'<div class="article"><h1>{html.escape(title)}</h1>{text}</div>',
                       portal.encoding)
        site.put(host, url, page.encode(portal.encoding, "replace"), day)
        manifest["non_reports"].append(base + url)
    dead_day = date(2020, 6, 1)
    dead = detail_url(portal, "zf", dead_day, 990000 + portal.index)
    columns["zf"].append((f"{portal.district}2017年政府信息公开工作年度报告（旧链接）", dead, dead_day))
    manifest["dead_links"].append(base + dead)
    # two deleted pages, both sent to the home page (as portals do)
    for n, year in enumerate((2016, 2015)):
        deleted = detail_url(portal, "zf", dead_day, 991000 + portal.index + 100 * n)
        columns["zf"].append((f"{portal.district}{year}年政府信息公开工作年度报告（已撤回）", deleted, dead_day))
        site.put(host, deleted, _chrome(portal, "页面已删除", "<p>该页面已删除。</p>", portal.encoding,
                                        '<meta http-equiv="refresh" content="0;url=/">')
                 .encode(portal.encoding), dead_day)
        manifest["deleted"].append(base + deleted)
    # listings: newest first, paged
    listing_urls = []
    for column, items in columns.items():
        items.sort(key=lambda item: (item[2], item[1]), reverse=True)
        unit = next((u for u in portal.units if u.column == column and column != "zf"), None)
        name = _column_name(portal, unit)
        pages = max(1, -(-len(items) // PAGE_SIZE))
        for page in range(pages):
            chunk = items[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
            url = listing_url(portal, column, page)
            text, content_type = listing_page(portal, name, chunk, page, pages, column, len(items))
            site.put(host, url, text.encode(portal.encoding, "replace"), content_type=content_type)
        listing_urls.append(base + listing_url(portal, column, 0))
    site.put(host, "/robots.txt", b"User-agent: *\nDisallow: /search/\nDisallow: /admin/\n")
    home_links = "".join(f'<li><a href="{u.removeprefix(base)}">{html.escape(u)}</a></li>'
                         for u in listing_urls)
    site.put(host, "/index.html", chrome.home(portal, home_links, date(last_year + 1, 3, 31))
             .encode(portal.encoding, "replace"))
    return {"id": portal.id, "name": portal.government, "host": host, "cms": portal.cms,
            "province": portal.province, "city": portal.city, "district": portal.district,
            "code": portal.code, "homepage": f"{base}/", "listing_urls": listing_urls,
            "allowed_domains": [host], "encoding": portal.encoding}


def site_path(root: Path, host: str, path: str) -> Path:
    """Where a URL's bytes live on disk ('?' queries become part of the file name)."""
    clean = path.lstrip("/") or "index.html"
    if clean.endswith("/"):
        clean += "index.html"
    return root / "site" / host / clean.replace("?", "__")


def _flush(site: Site, root: Path) -> None:
    """Write one portal's files and its header hints, then let them go (bounded memory)."""
    hints: dict[str, dict[str, str]] = {}
    for (host, path), data in sorted(site.files.items()):
        target = site_path(root, host, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        hint = {}
        if (host, path) in site.header_charset:
            hint["charset"] = site.header_charset[(host, path)]
        if (host, path) in site.last_modified:
            hint["modified"] = site.last_modified[(host, path)]
        if (host, path) in site.content_type:
            hint["type"] = site.content_type[(host, path)]
        if hint:
            hints[path] = hint
    if site.files:
        host = next(iter(site.files))[0]
        (root / "site" / host / ".headers.json").write_text(
            json.dumps(hints, sort_keys=True, indent=0), encoding="utf-8")


def iter_reports(root: Path) -> Iterator[dict[str, Any]]:
    """The manifest's reports, one at a time."""
    with (root / "reports.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def cache_root() -> Path:
    """Where generated networks live unless a directory is given (XDG cache)."""
    import os

    base = os.environ.get("GOVCRAWL_CACHE") or os.environ.get("XDG_CACHE_HOME") or \
        str(Path.home() / ".cache")
    return Path(base) / "govcrawl" / "demo"


def generator_digest() -> str:
    """A digest of the generator's code: a cached network is reused only by the code that made it."""
    from govcrawl.demo import narrative as narrative_module

    here = Path(__file__).parent
    files = [*sorted(here.glob("*.py")), Path(S.__file__), Path(narrative_module.__file__)]
    digest = hashlib.sha1()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()[:10]


def cached_path(epoch: int = 1, scale: int | None = None, seed: int = DEFAULT_SEED,
                cache: Path | None = None) -> Path:
    """Where :func:`ensure` keeps a generated network (``cache``: the $GOVCRAWL_CACHE it sees)."""
    base = cache / "govcrawl" / "demo" if cache else cache_root()
    return base / f"seed{seed}-scale{scale or 0}-{generator_digest()}" / f"epoch-{epoch}"


def ensure(epoch: int = 1, scale: int | None = None, seed: int = DEFAULT_SEED,
           out: Path | None = None) -> Path:
    """The directory of a generated network, generating it first if it is not there."""
    import shutil

    name = f"seed{seed}-scale{scale or 0}"
    root = out or cached_path(epoch, scale, seed)
    if not (root / "manifest.json").exists():
        if out is None:  # networks of an older generator are stale: drop them
            for stale in [*cache_root().glob(f"{name}-*"), cache_root() / name]:
                if stale != root.parent:
                    shutil.rmtree(stale, ignore_errors=True)
        partial = root.with_name(root.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        generate(partial, epoch, scale, seed)
        shutil.rmtree(root, ignore_errors=True)
        partial.rename(root)
    return root
