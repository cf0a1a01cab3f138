"""Figures stated in prose (legacy reports; modern ones whose tables are images).

Each pattern states one figure unambiguously; a sentence that could mean two things is
left alone.  Results are cells marked ``derived_from: text``; a table figure always wins.
"""

from __future__ import annotations

import re

from govcrawl.extract.normalize import fold
from govcrawl.extract.tables import Cell

_N = r"(\d[\d,]*)"
_UNIT = r"\s*(?:件|个|条|宗|次|起|例|份)"
# A short stretch within one clause that never crosses into talk of reviews and suits
# ('收到1份有关政府信息公开行政复议申请' is not a request for information).
_GAP = r"(?:(?!复议|诉讼)[^.;,\n]){0,14}?"
_CLAUSE = r"(?:(?!复议|诉讼)[^.;\n]){0,30}?"

# (key, regex with one number group, or None for zero statements)
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("requests.new.total",  # '共收到公民、法人和其他组织提出的政府信息公开申请21条'
     rf"(?:收到|受理|接到|接收){_CLAUSE}(?:政府信息公开|政务信息公开)申请(?:共计|共|合计|总计)?\s*{_N}{_UNIT}"),
    ("requests.new.total",
     rf"(?:新收|收到|受理|接到|接收)(?:,办理)?(?:各类)?{_GAP}(?:政府信息公开|政务信息公开|信息公开|依申请公开)"
     rf"(?:政府信息)?申请(?:数量)?(?:共计|共|合计|总计)?\s*{_N}{_UNIT}"),
    ("requests.new.total",
     rf"(?:共|累计|全年)?(?:收到|受理|接到)(?:,办理)?\s*{_N}{_UNIT}{_GAP}(?:政府信息公开|信息公开|依申请公开)?申请"),
    ("requests.new.total",
     rf"(?:收到|受理|办理)[、，,]?(?:办理)?依申请公开(?:申请)?\s*{_N}{_UNIT}"),
    ("requests.new.total", rf"(?:发生|收到)依申请公开(?:申请)?\s*{_N}{_UNIT}"),
    ("requests.carried_over.total", rf"上年(?:度)?结转(?:政府信息公开申请数量|申请)?\s*{_N}{_UNIT}"),
    ("requests.carried_forward.total", rf"结转下(?:一)?年(?:度)?(?:继续办理)?\s*{_N}{_UNIT}"),
    ("requests.results_total.total",
     rf"申请[^.;\n]{{0,24}}?(?:全年|共|累计)?(?:依法)?办结(?:申请)?\s*{_N}{_UNIT}"),
    ("requests.results_total.total",  # '对依申请公开的答复总数21条'
     rf"答复(?:总数|总量|数量)?(?:共计|共|为)?\s*{_N}{_UNIT}"),
    ("appeals.review.total", rf"行政复议(?:案件|申请)?(?:共)?\s*{_N}{_UNIT}"),
    ("appeals.review.total",  # '收到1份有关政府信息公开行政复议申请'
     rf"(?:收到|发生|受理|接到|被申请){_N}\s*(?:份|件|起|宗|次)[^.;,\n]{{0,14}}?行政复议"),
    ("appeals.litigation_direct.total",
     rf"(?:未经复议|未经行政复议)直接(?:提起)?(?:行政)?(?:起诉|诉讼){_GAP}{_N}{_UNIT}"),
    ("appeals.litigation.total", rf"行政诉讼(?:案件)?(?:共)?\s*{_N}{_UNIT}"),
    ("proactive.items_published.total",
     rf"(?:累计|全年|共)?主动公开(?:了)?(?:各类)?(?:政府)?信息(?:共计|共|累计|总数)?\s*{_N}\s*(?:条|件)"),
)

_ZERO_REQUESTS = re.compile(
    r"(?:未|没有|无)(?:收到|接到|受理|发生)(?:(?!复议|诉讼)[^.;\n]){0,20}?(?:申请|依申请公开)(?!复议|诉讼)"
    r"|依申请公开(?:申请)?(?:数量)?(?:为)?(?:零|0)(?:件)?[.;,]"
)
_ZERO_APPEALS = re.compile(
    r"(?:未|没有|无)(?:发生|出现|收到)?[^.;\n]{0,30}?行政复议[和,或及]*(?:提起)?行政诉讼"
    r"|(?:未|没有|无)(?:发生|出现|收到)?[^.;\n]{0,30}?(?:行政复议|复议)[,和及](?:行政)?诉讼"
)

# '未收到有关政府信息公开的行政复议申请': no reviews — and nothing said of suits.
_ZERO_REVIEWS = re.compile(
    r"(?:未|没有|无)(?:收到|发生|出现|接到)[^.;,\n]{0,20}?行政复议(?:申请|案件)?(?![,和及与]?(?:行政)?诉讼)")

_ZERO_SUITS = re.compile(r"(?:未|没有|无)(?:发生|出现|收到|被提起)(?:(?!复议)[^.;,\n]){0,12}?行政诉讼")


def prose_cells(text: str) -> list[Cell]:
    """Cells for the figures the prose states; the first statement of each key wins."""
    folded = fold(text)
    found: dict[str, Cell] = {}
    for key, pattern in _PATTERNS:
        if key in found:
            continue
        match = re.search(pattern, folded)
        if match:
            number = int(match.group(1).replace(",", ""))
            found[key] = _cell(key, number, match.group(0))
    if "requests.new.total" not in found:
        zero = _ZERO_REQUESTS.search(folded)
        if zero:
            found["requests.new.total"] = _cell("requests.new.total", 0, zero.group(0))
    zero = _ZERO_REVIEWS.search(folded)
    if zero and "appeals.review.total" not in found:
        found["appeals.review.total"] = _cell("appeals.review.total", 0, zero.group(0))
    zero = _ZERO_SUITS.search(folded)
    if zero:
        for key in ("appeals.litigation.total", "appeals.litigation_direct.total",
                    "appeals.litigation_after_review.total"):
            if key not in found:
                found[key] = _cell(key, 0, zero.group(0))
    zero = _ZERO_APPEALS.search(folded)
    if zero:
        # No suits at all: every kind of suit is zero, so the canonical rows are known too.
        for key in ("appeals.review.total", "appeals.litigation.total",
                    "appeals.litigation_direct.total", "appeals.litigation_after_review.total"):
            if key not in found:
                found[key] = _cell(key, 0, zero.group(0))
    return list(found.values())


def _cell(key: str, number: int, raw: str) -> Cell:
    table, row, col = key.split(".")
    return Cell(table, row, col, number, raw.strip(), raw.strip()[:60], derived_from="text")
