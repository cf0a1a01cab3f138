"""Tables flattened with their cell values glued together: ``…申请数量640020470`` for 64, 0,
0, 2, 0, 4, 70.  Some text exports of report pages keep every label and figure of a table
but no separator between the figures of a row.

A row's figures are read back only where the table's own rules leave exactly one
reading: the column count, the row's total (the six applicant columns sum to 总计, each
Table 4 group's four results to its 总计), and Table 3's column identities (一 + 二 = 三 +
四, 总计 = the sum of the results).  A row with more than one consistent reading is left
out, with a warning that says so — never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from govcrawl.extract import keys as K
from govcrawl.extract.document import SourceRow
from govcrawl.extract.normalize import fold

MAX_DIGITS = 7  # no figure of a report has more
MAX_SOLUTIONS = 64  # consistent readings of a table looked for before giving up on uniqueness

# The words each Table 3 row's label ends with, as glued text keeps them.
_REQUEST_CORES: dict[str, str] = {
    "new": r"本年新收政府信息公开申请数量", "carried_over": r"上年结转政府信息公开申请数量",
    "granted": r"[(（]一[)）]予以公开", "partly_granted": r"部分公开(?:[(（][^()（）]{0,30}[)）])?",
    "denied.state_secret": r"属于国家秘密", "denied.prohibited_by_law": r"其他法律行政法规禁止公开",
    "denied.security_stability": r"危及.?三安全一稳定.?", "denied.third_party": r"保护第三方合法权益",
    "denied.internal_affairs": r"属于三类内部事务信息", "denied.process_info": r"属于四类过程性信息",
    "denied.enforcement_file": r"属于行政执法案卷", "denied.query_matter": r"属于行政查询事项",
    "unavailable.not_held": r"本机关不掌握相关政府信息", "unavailable.needs_creation": r"没有现成信息需要另行制作",
    "unavailable.unclear": r"补正后申请内容仍不明确", "not_processed.petition": r"信访举报投诉类申请",
    "not_processed.repeated": r"(?<=\d[.．、])重复申请", "not_processed.publication": r"要求提供公开出版物",
    "not_processed.excessive": r"无正当理由大量反复申请",
    "not_processed.confirmation": r"要求行政机关确认或重新出具已获取信息",
    "other.no_correction": r"申请人无正当理由逾期不补正[,，、]?行政机关不再处理其政府信息公开申请",
    "other.unpaid_fee": r"申请人逾期未按收费通知要求缴纳费用[,，、]?行政机关不再处理其政府信息公开申请",
    "other.other": r"(?<=[3３][.．、])其他(?=\d)", "other": r"[(（]六[)）]其他处理",
    "results_total": r"[(（]七[)）]总计", "carried_forward": r"结转下年度继续办理",
}
_DIGITS = re.compile(r"[\d\s]*")


@dataclass
class Decoded:
    rows: list[SourceRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def is_glued(text: str) -> bool:
    """Do Table 3's labels run straight into digit strings longer than a row's figures?"""
    folded = fold(text)
    hits = sum(1 for core in ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "结转下年度继续办理")
               if re.search(re.escape(core) + r"\d{7,}", folded))
    return hits >= 2


def splits(digits: str, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to read a digit string (spaces are boundaries) as ``parts`` figures, no
    figure with a leading zero but 0 itself."""
    chunks = digits.split()

    def walk(chunk: int, start: int, taken: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        if chunk == len(chunks):
            if len(taken) == parts:
                yield taken
            return
        text = chunks[chunk]
        if start == len(text):
            yield from walk(chunk + 1, 0, taken)
            return
        left = len(text) - start + sum(len(c) for c in chunks[chunk + 1:])
        if len(taken) >= parts or left < parts - len(taken):
            return
        for end in range(start + 1, min(len(text), start + MAX_DIGITS) + 1):
            piece = text[start:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            yield from walk(chunk, end, (*taken, int(piece)))

    yield from walk(0, 0, ())


def _runs(text: str, cores: dict[str, str]) -> dict[str, str]:
    """Each row's digit string: what follows its label up to the first other character."""
    found: list[tuple[int, int, str]] = []
    for key, core in cores.items():
        # A label's own numbering ('…00000002.其他法律…') belongs to it, not to the row before.
        for match in re.finditer(r"(?:\d[.．、])?" + core, text):
            found.append((match.start(), match.end(), key))
    found.sort()
    runs: dict[str, str] = {}
    for index, (_, end, key) in enumerate(found):
        stop = found[index + 1][0] if index + 1 < len(found) else len(text)
        run = _DIGITS.match(text, end, stop).group(0)
        if run.strip() and key not in runs:
            runs[key] = run.strip()
    return runs


def decode(text: str) -> Decoded:
    """Tables 2, 3 and 4 of glued text as rows the interpreter reads; what cannot be read
    back unambiguously is left out, with a warning."""
    folded = fold(text)
    out = Decoded()
    _proactive(folded, out)
    _requests(folded, out)
    _appeals(folded, out)
    return out


_PROACTIVE_LABELS = {"regulations": r"(?<!性文件)规章", "normative_docs": r"(?:行政)?规范性文件",
                     "licensing": r"行政许可", "other_services": r"其他对外管理服务事项", "punishment": r"行政处罚",
                     "enforcement": r"行政强制", "fees": r"行政事业性收费", "procurement": r"政府集中采购"}
_FIGURES = re.compile(r"[\d\s.+\-元万]*")


def _proactive(text: str, out: Decoded) -> None:
    """Table 2: a row whose figures read one way only — a single column, or one digit per
    column — is kept; its other rows (本年制发 / 废止 / 现行有效 glued, with no rule to tell
    them apart) are left out, with a warning."""
    start = text.find("第二十条")
    if start < 0:
        return
    end = text.find("收到和处理政府信息公开申请", start)
    area = text[start:end if end > 0 else start + 3000]
    template = K.T2021 if re.search(r"本年制发件数|本年处理决定数量|本年收费金额", area) else K.T2019
    for block, per_template in K.PROACTIVE_BLOCKS.items():
        columns = per_template.get(template)
        rows = [r for r in K.PROACTIVE_ROWS if r.group == block and template in r.templates]
        if not columns or not rows:
            continue
        out.rows.append(SourceRow([f"第二十条第（{block}）项"]))
        out.rows.append(SourceRow(["信息内容", *(c.label for c in columns)]))
        for row in rows:
            match = re.search(_PROACTIVE_LABELS[row.key] + r"(?=[\s\d+\-])", area)
            if not match:
                continue
            run = _FIGURES.match(area, match.end()).group(0).strip()
            readings = _proactive_readings(run, len(columns))
            if len(readings) == 1:
                out.rows.append(SourceRow([row.label, *readings[0]]))
            elif run:
                out.warnings.append(f"proactive: row {row.key}: its glued figures {run!r} read "
                                    f"{len(readings) or 'no'} ways; left out")


def _proactive_readings(run: str, parts: int) -> list[tuple[str, ...]]:
    if not run:
        return []
    if parts == 1:
        return [(run.replace(" ", ""),)]
    tokens = re.findall(r"[+\-]?[\d.]+(?:万?元)?", run)
    if len(tokens) == parts:
        return [tuple(tokens)]
    digits = re.sub(r"\s", "", run)
    if digits.isdigit() and len(digits) == parts:
        return [tuple(digits)]
    if digits.isdigit():
        return [tuple(str(v) for v in values) for values in splits(digits, parts)][:2]
    return []


def _requests(text: str, out: Decoded) -> None:
    runs = _runs(text, _REQUEST_CORES)
    if not runs:
        return
    template = K.T2021 if any(k.startswith("other.") for k in runs) else K.T2019
    candidates: dict[str, list[tuple[int, ...]]] = {}
    for key, run in runs.items():
        candidates[key] = [values for values in splits(run, 7) if sum(values[:6]) == values[6]]
    leaves = [k for k in K.RESULT_LEAVES[template] if k in candidates]
    solutions = _solve(candidates, leaves)
    for row in K.REQUEST_ROWS:
        if row.key not in candidates:
            continue
        readings = {s[row.key] for s in solutions if row.key in s} if solutions else set(candidates[row.key])
        if len(readings) == 1:
            values = readings.pop()
            out.rows.append(SourceRow([row.label, *(str(v) for v in values)]))
        else:
            out.warnings.append(f"requests: row {row.key}: its glued figures {runs[row.key]!r} read "
                                f"{len(readings) or 'no'} consistent way{'s' if len(readings) != 1 else ''}; left out")


def _solve(candidates: dict[str, list[tuple[int, ...]]], leaves: list[str]) -> list[dict[str, tuple[int, ...]]]:
    """The readings of every row that satisfy Table 3's column identities together (up to
    MAX_SOLUTIONS; none when the table has no identity to check or none holds)."""
    rows = [k for k in ("new", "carried_over", "results_total", "carried_forward", *leaves) if k in candidates]
    if "results_total" not in candidates or any(not candidates[k] for k in rows):
        return []
    solutions: list[dict[str, tuple[int, ...]]] = []

    balance = ("new", "carried_over", "results_total", "carried_forward")

    def consistent(chosen: dict[str, tuple[int, ...]]) -> bool:
        for col in range(7):
            if all(k in chosen for k in balance) and chosen["new"][col] + chosen["carried_over"][col] != \
                    chosen["results_total"][col] + chosen["carried_forward"][col]:
                return False
            done = [k for k in leaves if k in chosen]
            total = chosen["results_total"][col]
            partial = sum(chosen[k][col] for k in done)
            if partial > total or (len(done) == len(leaves) and partial != total):
                return False
        return True

    def walk(index: int, chosen: dict[str, tuple[int, ...]]) -> None:
        if len(solutions) >= MAX_SOLUTIONS:
            return
        if index == len(rows):
            solutions.append(dict(chosen))
            return
        key = rows[index]
        for values in candidates[key]:
            chosen[key] = values
            if "results_total" not in chosen or consistent(chosen):
                walk(index + 1, chosen)
            del chosen[key]

    walk(0, {})
    return [] if len(solutions) >= MAX_SOLUTIONS else solutions


_APPEALS = re.compile(r"复议后起诉(?:结果维持|结果纠正|其他结果|尚未审结|总计|\s)*([\d\s]{15,})")


def _appeals(text: str, out: Decoded) -> None:
    match = _APPEALS.search(text)
    if not match:
        return
    run = match.group(1).strip()
    readings = {values for values in splits(run, 15)
                if all(sum(values[g * 5:g * 5 + 4]) == values[g * 5 + 4] for g in range(3))}
    if len(readings) == 1:
        values = readings.pop()
        header = ["行政复议", "行政诉讼", *(c.label for c in K.APPEAL_COLUMNS), "未经复议直接起诉", "复议后起诉"]
        out.rows.append(SourceRow(header))
        out.rows.append(SourceRow([str(v) for v in values]))
    else:
        out.warnings.append(f"appeals: its glued figures {run!r} read {len(readings) or 'no'} consistent "
                            f"way{'s' if len(readings) != 1 else ''}; left out")
