"""The six sections of a report, found by loose heading matching (report-format.md §2)."""

from __future__ import annotations

import re

from govcrawl.extract.labels import match_request_row
from govcrawl.extract.normalize import chinese_number, fold

_HEADING = re.compile(r"^\s*([一二三四五六七八九十]{1,2})\s*[、.．,，]\s*(\S.{0,60})$")
# Keywords per canonical section, checked in order.
_SECTION_WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("总体情况", "概述", "基本情况", "概况", "工作概述", "基本工作情况")),
    (2, ("主动公开",)),
    (3, ("收到和处理", "依申请", "申请公开", "申请情况", "收到的处理")),
    (4, ("复议", "诉讼")),
    (5, ("问题", "改进")),
    (6, ("其他需要报告", "其他事项", "其他需报告", "需要报告")),
)


def _canonical_number(heading: str) -> int | None:
    text = fold(heading)
    for number, words in _SECTION_WORDS:
        if any(word in text for word in words):
            return number
    return None


def sections(text: str) -> list[dict]:
    """Top-level headings (一、… 六、) with the text under each, in order."""
    lines = text.split("\n")
    heads: list[tuple[int, int | None, str]] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if "|" in stripped or len(stripped) > 64:
            continue
        match = _HEADING.match(stripped)
        if not match or match_request_row(stripped):
            continue
        if chinese_number(match.group(1)) is None:
            continue
        heads.append((index, _canonical_number(match.group(2)), stripped))
    # A section ends at the next section's heading, not at a table's numbered group
    # ('三、本年度办理结果' inside section 3 of a flattened table).
    accepted: list[tuple[int, int, str]] = []
    for index, number, heading in heads:
        if number is not None and number > (accepted[-1][1] if accepted else 0):
            accepted.append((index, number, heading))
    out: list[dict] = []
    for position, (index, number, heading) in enumerate(accepted):
        end = accepted[position + 1][0] if position + 1 < len(accepted) else len(lines)
        body = "\n".join(line.strip() for line in lines[index + 1:end] if line.strip())
        out.append({"number": number, "heading": heading, "text": body})
    return out
