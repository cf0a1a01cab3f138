"""Generated annual reports: plausible figures, the official layouts, real-world quirks.

Deterministic (same seed → same bytes).  Used for the sample report of the quick start,
for the project's own test fixtures and for the demo portal network.  All text comes
from the templates below; nothing is copied from real reports.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from typing import Any

import opencc

from govcrawl.extract import keys as K

# --- figures ----------------------------------------------------------------------------

_SIX = [c.key for c in K.REQUEST_COLUMNS[:-1]]


def _split(rng: random.Random, total: int, parts: int, weights: list[float]) -> list[int]:
    """Split ``total`` into ``parts`` integers, roughly by ``weights``."""
    if total <= 0:
        return [0] * parts
    out = [0] * parts
    for _ in range(total):
        out[rng.choices(range(parts), weights=weights)[0]] += 1
    return out


def generate_figures(rng: random.Random, template: str, scale: int,
                     carried_over: dict[str, int] | None = None) -> dict[str, int | float]:
    """A consistent set of canonical metrics for one report (checks pass).

    ``carried_over`` is last year's 结转下年度 per applicant column, so that a series of
    reports carries over as real ones should.
    """
    metrics: dict[str, int | float] = {}
    new_total = max(0, int(rng.gauss(scale, scale / 3))) if scale else 0
    applicant_weights = [0.82, 0.1, 0.01, 0.02, 0.03, 0.02]
    new = _split(rng, new_total, 6, applicant_weights)
    prev = [int((carried_over or {}).get(col, 0)) for col in _SIX]
    leaves = list(K.RESULT_LEAVES[template])
    leaf_weights = {"granted": 0.4, "partly_granted": 0.1, "unavailable.not_held": 0.25,
                    "not_processed.repeated": 0.05, "denied.process_info": 0.03,
                    "denied.third_party": 0.03, "other": 0.05, "other.no_correction": 0.03,
                    "other.other": 0.02, "unavailable.unclear": 0.04}
    weights = [leaf_weights.get(leaf, 0.005) for leaf in leaves]
    for index, col in enumerate(_SIX):
        metrics[f"requests.new.{col}"] = new[index]
        metrics[f"requests.carried_over.{col}"] = prev[index]
        available = new[index] + prev[index]
        forward = min(available, rng.randint(0, max(0, available // 12)))
        handled = available - forward
        metrics[f"requests.carried_forward.{col}"] = forward
        metrics[f"requests.results_total.{col}"] = handled
        split = _split(rng, handled, len(leaves), weights)
        for leaf, value in zip(leaves, split, strict=True):
            metrics[f"requests.{leaf}.{col}"] = value
    row_keys = ["new", "carried_over", *leaves, "results_total", "carried_forward"]
    for row in row_keys:
        metrics[f"requests.{row}.total"] = sum(metrics[f"requests.{row}.{c}"] for c in _SIX)
    if template == K.T2021:
        for col in [*_SIX, "total"]:
            metrics[f"requests.other.{col}"] = sum(
                metrics[f"requests.other.{sub}.{col}"]
                for sub in ("no_correction", "unpaid_fee", "other"))
    for row in K.APPEAL_ROWS:
        size = {"review": max(1, scale // 25), "litigation_direct": max(1, scale // 60),
                "litigation_after_review": max(1, scale // 120)}[row.key] if scale else 0
        parts = [rng.randint(0, size) for _ in range(4)] if size else [0, 0, 0, 0]
        for col, value in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            metrics[f"appeals.{row.key}.{col}"] = value
        metrics[f"appeals.{row.key}.total"] = sum(parts)
    docs = scale // 4 + rng.randint(0, 3)
    if template == K.T2019:
        for row, base in (("regulations", 0), ("normative_docs", docs)):
            made = rng.randint(0, base) if base else 0
            metrics[f"proactive.{row}.new_made"] = made
            metrics[f"proactive.{row}.new_published"] = made
            metrics[f"proactive.{row}.total_published"] = made + rng.randint(0, base * 4 + 1)
        for row in ("licensing", "other_services", "punishment", "enforcement"):
            prev_items = rng.randint(0, scale * 3 + 5)
            metrics[f"proactive.{row}.prev_items"] = prev_items
            metrics[f"proactive.{row}.change"] = rng.randint(-min(prev_items, 20), 40)
            metrics[f"proactive.{row}.decisions"] = rng.randint(0, scale * 10 + 3)
        metrics["proactive.fees.prev_items"] = rng.randint(0, 30)
        metrics["proactive.fees.change"] = rng.randint(-3, 3) if metrics[
            "proactive.fees.prev_items"] >= 3 else 0
        metrics["proactive.procurement.items"] = rng.randint(0, scale + 5)
        metrics["proactive.procurement.amount_yuan"] = round(
            rng.uniform(0, 5_000_000) if metrics["proactive.procurement.items"] else 0.0, 2)
    else:
        for row, base in (("regulations", 0), ("normative_docs", docs)):
            issued = rng.randint(0, base) if base else 0
            repealed = rng.randint(0, base // 2) if base else 0
            metrics[f"proactive.{row}.issued"] = issued
            metrics[f"proactive.{row}.repealed"] = repealed
            metrics[f"proactive.{row}.in_force"] = issued + rng.randint(0, base * 5 + 1)
        for row in ("licensing", "punishment", "enforcement"):
            metrics[f"proactive.{row}.decisions"] = rng.randint(0, scale * 10 + 3)
        metrics["proactive.fees.amount_10k_yuan"] = round(rng.uniform(0, 900), 2) if scale else 0
    return metrics


# --- the report specification ----------------------------------------------------------

@dataclass
class ReportSpec:
    agency: str
    year: int
    template: str  # "2019" | "2021" | "legacy"
    metrics: dict[str, int | float]
    contact: dict[str, str | None]
    published: str  # ISO date
    quirks: frozenset[str] = frozenset()
    items_published: int = 0
    title: str | None = None
    local_rows: dict[str, int] = field(default_factory=dict)

    @property
    def report_title(self) -> str:
        return self.title or f"{self.agency}{self.year}年政府信息公开工作年度报告"


QUIRKS = (
    "half_width", "fullwidth_dot", "straight_quotes", "comma_in_other", "traditional",
    "spaced_labels", "typo", "extra_row", "single_other_row", "blank_zeros", "slash_zeros",
    "split_table", "money_in_wan", "thousands", "no_agency_in_title", "period_chinese",
)


def sample_spec(seed: int = 2020, template: str = K.T2019, quirks: frozenset[str] = frozenset(),
                agency: str = "示范市东湖区政务服务管理局", scale: int = 40) -> ReportSpec:
    """One generated report; the default is the quick start's sample."""
    rng = random.Random(seed)
    year = {K.T2019: 2020, K.T2021: 2023, "legacy": 2017}[template]
    metrics = generate_figures(rng, template if template != "legacy" else K.T2019, scale)
    if template == "legacy":
        keep = ("requests.new.total", "appeals.review.total")
        metrics = {k: metrics[k] for k in keep}
    if template == K.T2021 and "single_other_row" in quirks:
        metrics = {k: v for k, v in metrics.items() if not k.startswith("requests.other.")
                   or k.count(".") == 2}
    contact = {"agency": f"{agency}办公室", "address": "示范市东湖区人民路188号",
               "postcode": "100001", "phone": "010-65550123", "fax": "010-65550124",
               "email": "gk@donghu.example.cn"}
    return ReportSpec(agency, year, template, metrics, contact, f"{year + 1}-01-20",
                      frozenset(quirks), items_published=rng.randint(100, 3000))


# --- label rendering --------------------------------------------------------------------

_S2T = opencc.OpenCC("s2t")


def _label(text: str, quirks: frozenset[str]) -> str:
    if "half_width" in quirks:
        text = text.replace("（", "(").replace("）", ")")
    if "fullwidth_dot" in quirks:
        text = text.replace(".", "．", 1) if text[:1].isdigit() else text
    if "straight_quotes" in quirks:
        text = text.replace("“", '"').replace("”", '"')
    if "comma_in_other" in quirks:
        text = text.replace("补正、", "补正，").replace("费用、", "费用，")
    if "typo" in quirks:
        text = text.replace("其他法律行政法规禁止公开", "其他法律行政止公开")
    if "spaced_labels" in quirks and len(text) <= 6:
        text = " ".join(text)
    if "traditional" in quirks:
        text = _S2T.convert(text)
    return text


def _value(value: int | float | None, quirks: frozenset[str], money: str | None = None) -> str:
    if value is None:
        return ""
    if value == 0 and "blank_zeros" in quirks and money is None:
        return ""
    if value == 0 and "slash_zeros" in quirks and money is None:
        return "/"
    if money == "yuan":
        if "money_in_wan" in quirks:
            return f"{value / 10000:.6f}".rstrip("0").rstrip(".") + "万元"
        return f"{value:.2f}元"
    if isinstance(value, float):
        return f"{value:.2f}"
    if "thousands" in quirks and abs(value) >= 1000:
        return f"{value:,}"
    return str(value)


# --- grids: (text, rowspan, colspan) per cell, rows in document order ----------------------

Cell = tuple[str, int, int]


def proactive_grid(spec: ReportSpec) -> list[list[Cell]]:
    q, m = spec.quirks, spec.metrics
    template = spec.template
    width = 5 if template == K.T2019 else 4
    rows: list[list[Cell]] = []
    for block in ("一", "五", "六", "八", "九"):
        columns = K.PROACTIVE_BLOCKS[block].get(template)
        if not columns:
            continue
        rows.append([(_label(f"第二十条第（{block}）项", q), 1, width)])
        data_span = (width - 1) // len(columns) if len(columns) < width - 1 else 1
        header = [(_label("信息内容", q), 1, 1)]
        for index, column in enumerate(columns):
            span = (width - 1) - data_span * (len(columns) - 1) if index == len(columns) - 1 \
                else data_span
            header.append((_label(column.label, q), 1, span))
        rows.append(header)
        block_rows = [r for r in K.PROACTIVE_ROWS if r.group == block and template in r.templates]
        for row in block_rows:
            label = "行政规范性文件" if row.key == "normative_docs" and template == K.T2021 \
                else row.label
            cells = [(_label(label, q), 1, 1)]
            for index, column in enumerate(columns):
                span = header[index + 1][2]
                value = m.get(f"proactive.{row.key}.{column.key}")
                money = "yuan" if column.unit == "yuan" else None
                text = _value(value, q, money)
                if column.signed and isinstance(value, int) and value > 0:
                    text = f"+{value}"
                cells.append((text, 1, span))
            rows.append(cells)
        if block == "一" and "extra_row" in q:
            rows.append([("其他主动公开文件", 1, 1)] + [(str(spec.local_rows.get("extra", 3)),
                                                      1, 1)] * (width - 1))
    return rows


def _request_rows(template: str, quirks: frozenset[str]) -> list[tuple[K.Row, list[str]]]:
    """Each Table 3 data row with the group labels that open in it."""
    out: list[tuple[K.Row, list[str]]] = []
    opened: set[str] = set()
    single_other = template == K.T2019 or "single_other_row" in quirks
    for row in K.REQUEST_ROWS:
        if row.key.startswith("other.") and single_other:
            continue
        if row.key == "other" and not single_other:
            continue
        groups = []
        if row.key in ("granted",):
            groups.append(K.GROUP_RESULTS)
        if row.group and row.group not in opened:
            groups.append(row.group)
            opened.add(row.group)
        out.append((row, groups))
    return out


def requests_grid(spec: ReportSpec) -> list[list[Cell]]:
    q, m = spec.quirks, spec.metrics
    rows: list[list[Cell]] = [
        [(_label("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", q), 3, 3),
         (_label("申请人情况", q), 1, 7)],
        [(_label("自然人", q), 2, 1), (_label("法人或其他组织", q), 1, 5), (_label("总计", q), 2, 1)],
        [(_label(c.label, q), 1, 1) for c in K.REQUEST_COLUMNS[1:6]],
    ]
    data_rows = _request_rows(spec.template, q)
    results_span = sum(1 for r, _ in data_rows if r.key not in
                       ("new", "carried_over", "carried_forward"))
    group_sizes: dict[str, int] = {}
    for row, _ in data_rows:
        if row.group:
            group_sizes[row.group] = group_sizes.get(row.group, 0) + 1
    for row, groups in data_rows:
        cells: list[Cell] = []
        if row.key in ("new", "carried_over", "carried_forward"):
            cells.append((_label(row.label, q), 1, 3))
        else:
            if K.GROUP_RESULTS in groups:
                cells.append((_label(K.GROUP_RESULTS, q), results_span, 1))
            if row.group:
                if row.group in groups:
                    cells.append((_label(row.group, q), group_sizes[row.group], 1))
                cells.append((_label(row.label, q), 1, 1))
            else:
                cells.append((_label(row.label, q), 1, 2))
        for col in K.REQUEST_COLUMNS:
            cells.append((_value(m.get(f"requests.{row.key}.{col.key}"), q), 1, 1))
        rows.append(cells)
    return rows


def appeals_grid(spec: ReportSpec) -> list[list[Cell]]:
    q, m = spec.quirks, spec.metrics
    five = [c.label for c in K.APPEAL_COLUMNS]
    return [
        [(_label("行政复议", q), 1, 5), (_label("行政诉讼", q), 1, 10)],
        [*((_label(t, q), 2, 1) for t in five), (_label("未经复议直接起诉", q), 1, 5),
         (_label("复议后起诉", q), 1, 5)],
        [*((_label(t, q), 1, 1) for t in five), *((_label(t, q), 1, 1) for t in five)],
        [(_value(m.get(f"appeals.{r.key}.{c.key}"), q), 1, 1)
         for r in K.APPEAL_ROWS for c in K.APPEAL_COLUMNS],
    ]


def grid_html(rows: list[list[Cell]], word: bool = False) -> str:
    """A table as HTML; ``word`` gives the markup of a table pasted from Word.

    Most portal editors paste reports from Word, so real report pages carry every cell's
    width, borders and fonts inline (and weigh ten times their text): the demo network
    uses that markup so its pages, and the bytes a crawl moves, look like real ones.
    """
    if not word:
        out = ['<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable">']
        for row in rows:
            out.append("<tr>")
            for text, rowspan, colspan in row:
                attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
                    f' colspan="{colspan}"' if colspan > 1 else "")
                out.append(f"<td{attrs}><p>{html.escape(text)}</p></td>")
            out.append("</tr>")
        out.append("</table>")
        return "\n".join(out)
    width = max(sum(colspan for _, _, colspan in row) for row in rows)
    points = [round(440.2 * (2.2 if c == 0 else 1.0) / (width + 1.2), 1) for c in range(width)]
    out = ['<div align="center"><table class="MsoNormalTable" border="1" cellspacing="0" '
           'cellpadding="0" width="587" style="width:440.2pt;border-collapse:collapse;border:none;'
           'mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt">']
    taken: dict[int, int] = {}  # column → rows still covered by a rowspan from above
    for index, row in enumerate(rows):
        height = 20.1 if index else 28.35
        out.append(f'<tr style="mso-yfti-irow:{index};height:{height}pt">')
        column = 0
        for text, rowspan, colspan in row:
            while taken.get(column, 0) > 0:
                column += 1
            span = points[column:column + colspan]
            for c in range(column, column + colspan):
                taken[c] = rowspan
            column += colspan
            pt = round(sum(span), 1)
            attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
                f' colspan="{colspan}"' if colspan > 1 else "")
            numeric = text.replace(",", "").replace(".", "", 1).isdigit()
            align = "center" if numeric or index < 2 else "left"
            font = "Times New Roman" if numeric else "仿宋_GB2312"
            lang = ' lang="EN-US"' if numeric else ""
            out.append(
                f'<td width="{round(pt * 4 / 3)}"{attrs} valign="center" style="width:{pt}pt;'
                f"border:solid windowtext 1.0pt;border-top:none;mso-border-top-alt:solid windowtext .5pt;"
                f'mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt;height:{height}pt">'
                f'<p class="MsoNormal" align="{align}" style="text-align:{align};line-height:15.0pt;'
                f'mso-line-height-rule:exactly"><span{lang} style="font-size:10.5pt;font-family:{font};'
                f"mso-ascii-font-family:'Times New Roman';mso-hansi-font-family:'Times New Roman';"
                f'color:black;mso-font-kerning:0pt">{html.escape(text)}</span><span lang="EN-US" '
                f'style="font-size:10.5pt"><o:p></o:p></span></p></td>')
        for c in list(taken):
            taken[c] -= 1
        out.append("</tr>")
    out.append("</table></div>")
    return "\n".join(out)


TEXT_STYLES = ("pipe", "pipe_lines", "blank_lines")


def grid_text(rows: list[list[Cell]], style: str = "pipe", footer_after: int | None = None) -> str:
    """Flatten a table as text tools do.

    ``pipe``: a row per line, cells joined by ' | ', merged cells leaving empty cells;
    ``pipe_lines``: a cell per line and '|' lines between, labels broken inside cells;
    ``blank_lines``: a cell per line, blank lines between, one more per empty cell.
    ``footer_after`` puts a page footer ('- 4 -') after that many rows.
    """
    lines: list[str] = []
    for index, row in enumerate(rows):
        if footer_after is not None and index == footer_after:
            lines.append(f"- {footer_after // 10 + 3} -")
        cells = [text for text, _, _ in row]
        if style == "pipe":
            pad = sum(colspan - 1 for _, _, colspan in row)
            lines.append(" | ".join(cells) + " |" + "|" * pad)
        elif style == "pipe_lines":
            for text in cells:
                broken = text.replace("商业企业", "商业\n企业").replace("科研机构", "科研\n机构")
                lines.append((broken + "\n|") if broken else "|")
        elif style == "blank_lines":
            for text in cells:
                lines.append(text + "\n" if text else "")
        else:
            raise ValueError(f"unknown text style {style}")
    return "\n".join(lines)


# --- prose ------------------------------------------------------------------------------

_NUM_CN = "〇一二三四五六七八九"


def _cn_year(year: int) -> str:
    return "".join(_NUM_CN[int(d)] for d in str(year))


def opening(spec: ReportSpec, variant: int = 0) -> str:
    c = spec.contact
    y = spec.year
    period = [
        f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。",
        f"本报告所列数据的统计期限为{y}年1月1日至{y}年12月31日。",
        f"本年度报告中所列数据统计期限为{y}年1月1日至12月31日。",
        f"所列数据统计时限为{_cn_year(y)}年一月一日至十二月三十一日。",
    ][variant % 4 if "period_chinese" not in spec.quirks else 3]
    separators = [("（", "；", "：", "）"), ("（", "，", "：", "）"), ("(", ",", ":", ")")][variant % 3]
    lp, sep, colon, rp = separators
    parts = [f"地址{colon}{c['address']}", f"邮编{colon}{c['postcode']}",
             f"电话{colon}{c['phone']}"]
    if c.get("fax"):
        parts.append(f"传真{colon}{c['fax']}")
    if c.get("email"):
        parts.append(f"电子邮箱{colon}{c['email']}")
    return (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制，"
            f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
            f"政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
            f"{period}本报告电子版可在本机关门户网站下载。如对本报告有任何疑问，请与{c['agency']}联系"
            f"{lp}{sep.join(parts)}{rp}。")


def report_sections(spec: ReportSpec) -> list[tuple[str, str]]:
    m = spec.metrics
    new_total = m.get("requests.new.total", 0)
    review = m.get("appeals.review.total", 0)
    return [
        ("一、总体情况",
         f"{spec.year}年，{spec.agency}认真贯彻落实《条例》，坚持以公开为常态、不公开为例外，"
         f"持续推进政府信息公开工作。全年主动公开政府信息{spec.items_published}条，"
         f"收到政府信息公开申请{new_total}件，均依法按时答复。"),
        ("二、主动公开政府信息情况", "本机关按照主动公开目录做好各类信息公开。"),
        ("三、收到和处理政府信息公开申请情况", "本年度依申请公开工作情况见下表。"),
        ("四、政府信息公开行政复议、行政诉讼情况",
         f"本年度因政府信息公开被申请行政复议{review}件。"),
        ("五、存在的主要问题及改进情况",
         "主要问题是公开内容的深度有待拓展，下一步将加强培训、完善制度。"),
        ("六、其他需要报告的事项", "本年度未收取信息处理费。"),
    ]


def legacy_sections(spec: ReportSpec) -> list[tuple[str, str]]:
    m = spec.metrics
    return [
        ("一、概述", f"{spec.year}年，{spec.agency}认真贯彻落实《条例》，扎实推进政府信息公开工作。"),
        ("二、主动公开政府信息情况", f"全年主动公开政府信息{spec.items_published}条。"),
        ("三、依申请公开政府信息和不予公开政府信息的情况",
         f"全年共收到政府信息公开申请{m.get('requests.new.total', 0)}件，均已按期答复。"),
        ("四、政府信息公开的收费及减免情况", "未收取任何费用。"),
        ("五、因政府信息公开申请行政复议、提起行政诉讼的情况",
         f"全年因政府信息公开申请行政复议{m.get('appeals.review.total', 0)}件。"),
        ("六、政府信息公开工作存在的主要问题及改进情况", "将进一步完善工作机制。"),
    ]


# --- whole reports ----------------------------------------------------------------------

def report_body_html(spec: ReportSpec, variant: int = 0, image_tables: bool = False,
                     word: bool = False, extra: dict[int, list[str]] | None = None) -> str:
    """The report's own content (opening, six sections, tables) as portal editors paste it.

    ``image_tables`` publishes the tables as pictures; the prose then states the key
    figures, as such reports do.  ``extra`` adds paragraphs to sections (section number →
    paragraphs; see :mod:`govcrawl.demo.narrative`).
    """
    def para(text: str, bold: bool = False) -> str:
        inner = f"<strong>{html.escape(text)}</strong>" if bold else html.escape(text)
        if not word:
            return f"<p>{inner}</p>"
        font = "黑体" if bold else "仿宋_GB2312"
        return (f'<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt;'
                f'mso-line-height-rule:exactly"><span style="font-size:16.0pt;font-family:{font};'
                f"mso-hansi-font-family:'Times New Roman';mso-bidi-font-family:'Times New Roman'\">"
                f'{inner}</span></p>')

    body = [para(opening(spec, variant))]
    sections = legacy_sections(spec) if spec.template == "legacy" else report_sections(spec)
    m = spec.metrics
    for number, (heading, text) in enumerate(sections, start=1):
        if image_tables and number == 3:
            text += (f"本年度共收到政府信息公开申请{m.get('requests.new.total', 0)}件，"
                     f"办结申请{m.get('requests.results_total.total', 0)}件，"
                     f"结转下年度继续办理{m.get('requests.carried_forward.total', 0)}件。")
        body.append(para(heading, bold=True) + para(text))
        body.extend(para(paragraph) for paragraph in (extra or {}).get(number, []))
        if spec.template == "legacy":
            continue
        grids = {2: [proactive_grid(spec)], 3: [requests_grid(spec)], 4: [appeals_grid(spec)]}
        for grid in grids.get(number, []):
            if image_tables:
                body.append(f'<p style="text-align:center"><img src="table{number}.png" '
                            f'alt="表{number - 1}" width="600"></p>')
            elif number == 3 and "split_table" in spec.quirks:
                body.append(grid_html(grid[:12], word))
                body.append("<p>（续表）</p>")
                body.append(grid_html(grid[12:], word))
            else:
                body.append(grid_html(grid, word))
    if spec.template == "legacy" and spec.local_rows:
        rows = [[("统计指标", 1, 1), ("单位", 1, 1), ("统计数", 1, 1)]]
        rows += [[(label, 1, 1), ("件", 1, 1), (str(value), 1, 1)]
                 for label, value in spec.local_rows.items()]
        body.append("<p>附：政府信息公开情况统计表</p>" + grid_html(rows, word))
    return "\n".join(body)


def render_html(spec: ReportSpec, encoding: str = "utf-8", declared: str | None = None,
                variant: int = 0, chrome: bool = True) -> bytes:
    """A report page with portal chrome; ``declared`` may deliberately contradict ``encoding``."""
    charset = declared if declared is not None else encoding
    meta = f'<meta charset="{charset}">' if charset else ""
    title = spec.report_title
    shown_title = f"{spec.year}年度政府信息公开工作年度报告" if \
        "no_agency_in_title" in spec.quirks else title
    body: list[str] = []
    if chrome:
        body.append('<div class="header"><ul class="nav"><li><a href="/">首页</a></li>'
                    '<li><a href="/zwgk/">政务公开</a></li><li>互动交流</li></ul></div>')
        body.append('<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>')
    body.append('<div class="article">')
    body.append(f'<h1 class="title">{html.escape(shown_title)}</h1>')
    body.append(f'<div class="info">发布日期：{spec.published} 来源：{html.escape(spec.agency)}</div>')
    body.append('<div class="TRS_Editor">')
    body.append(report_body_html(spec, variant))
    body.append("</div></div>")
    if chrome:
        body.append('<div class="footer">主办单位：示范市东湖区人民政府 网站标识码 0000000000</div>')
    if "no_agency_in_title" in spec.quirks:
        title = shown_title  # the page names the agency only in its text
    page = ("<!DOCTYPE html>\n<html><head>" + meta +
            f'<meta name="ArticleTitle" content="{html.escape(title)}">'
            f'<meta name="PubDate" content="{spec.published} 09:00">'
            f"<title>{html.escape(title)}_政府信息公开年报</title></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")
    return page.encode(encoding)


def render_text(spec: ReportSpec, variant: int = 0, style: str = "pipe",
                footer: bool = False) -> str:
    """The report as text with its tables flattened (``style`` as in :func:`grid_text`)."""
    out = [spec.report_title, opening(spec, variant)]
    sections = legacy_sections(spec) if spec.template == "legacy" else report_sections(spec)
    for heading, text in sections:
        out += [heading, text]
        if spec.template == "legacy":
            continue
        if heading.startswith("二"):
            out.append(grid_text(proactive_grid(spec), style))
        elif heading.startswith("三"):
            out.append(grid_text(requests_grid(spec), style, 14 if footer else None))
        elif heading.startswith("四"):
            out.append(grid_text(appeals_grid(spec), style))
    return "\n".join(out) + "\n"


def expected(spec: ReportSpec) -> dict[str, Any]:
    """What extraction should give for this spec (the ground truth)."""
    template = "legacy" if spec.template == "legacy" else spec.template
    return {"title": spec.report_title, "agency": spec.agency, "year": spec.year,
            "template": template, "period_start": f"{spec.year}-01-01",
            "period_end": f"{spec.year}-12-31", "published": spec.published,
            "contact": dict(spec.contact), "metrics": dict(spec.metrics)}
