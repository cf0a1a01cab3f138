"""The table engine: rows of cells (from any source) → canonical cells.

Every source — an HTML grid with spans expanded, a DOCX or PDF table, text whose
tables were flattened to lines — is reduced to :class:`SourceRow` objects in reading
order.  One interpreter walks them with a little state (which table, which block of
Table 2, which group of Table 3) and maps each figure to ``(table, row, col)``.
Labels decide; positions only fill in where a header is unreadable.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from govcrawl.extract import keys as K
from govcrawl.extract import placement
from govcrawl.extract.document import SourceRow
from govcrawl.extract.labels import (
    APPEAL_HEADER_WORDS,
    REQUEST_HEADER_WORDS,
    is_balance_note,
    is_info_header,
    match_block,
    match_column,
    match_group,
    match_proactive_row,
    match_request_row,
    mostly_words,
)
from govcrawl.extract.normalize import Value, convert_money, label_key, parse_value


@dataclass
class Cell:
    table: str
    row: str | None
    col: str | None
    value: int | float | None
    raw: str
    label: str
    blank: bool = False
    derived_from: str | None = None
    derived: bool = False
    key: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.key = None if self.row is None or self.col is None else \
            f"{self.table}.{self.row}.{self.col}"

    def as_dict(self) -> dict:
        out: dict = {"table": self.table, "row": self.row, "col": self.col,
                     "value": self.value, "raw": self.raw, "label": self.label}
        if self.blank:
            out["blank"] = True
        if self.derived_from:
            out["derived_from"] = self.derived_from
        if self.derived:
            out["derived"] = True
        return out


@dataclass
class TableResult:
    cells: list[Cell] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- template evidence --------------------------------------------------------------------

_VOTES_2019 = {label_key(x) for x in (
    "本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "政府集中采购",
    "采购项目数量", "采购总金额", "其他对外管理服务事项", "处理决定数量")}
_VOTES_2021 = {label_key(x) for x in (
    "本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额（单位：万元）",
    "本年收费金额", "行政规范性文件")}


def template_votes(rows: list[SourceRow]) -> dict[str, int]:
    """Count labels that only one template has; （六）'s sub-rows settle it for 2021."""
    votes = {K.T2019: 0, K.T2021: 0}
    for row in rows:
        texts = [c for c in row.cells if c]
        if not texts or not (is_info_header(texts[0]) or any(
                parse_value(c).number is not None for c in texts)):
            continue  # only labels of real table rows vote, not stray page chrome
        for cell in row.cells:
            if not cell or len(cell) > 60:
                continue
            key = label_key(cell)
            if key in _VOTES_2019:
                votes[K.T2019] += 1
            elif key in _VOTES_2021:
                votes[K.T2021] += 1
            else:
                match = match_request_row(cell)
                if match and match[0].key.startswith("other."):
                    votes[K.T2021] += 3
    return votes


# --- the interpreter ------------------------------------------------------------------------

_ALL_BLOCK_COLUMNS = {
    block: tuple({c.key + c.label: c for cols in per.values() for c in cols}.values())
    for block, per in K.PROACTIVE_BLOCKS.items()
}
_REG_2019_TO_2021 = {"new_made": "issued", "total_published": "in_force"}


def _split(row: SourceRow) -> tuple[list[str], list[str | None]]:
    """Leading label cells and the value slots after them."""
    cells = list(row.cells)
    has_label = any(c and c.strip() and parse_value(c).number is None for c in cells)
    if has_label:
        # Empty cells before the label (a merged label column's remains): not figures.
        lead = 0
        while lead < len(cells) and (cells[lead] is None or cells[lead].strip() == ""):
            lead += 1
        cells = [None] * lead + cells[lead:] if row.positional else cells[lead:]
    labels: list[str] = []
    index = 0
    for index, cell in enumerate(cells):  # noqa: B007
        if cell is None:
            continue
        value = parse_value(cell)
        if value.blank or value.number is not None:
            break
        labels.append(cell.strip())
    else:
        index = len(cells)
    values = cells[index:]
    if not row.positional:
        values = [v for v in values if v is not None]
    return labels, values


class _Interpreter:
    def __init__(self, template: str) -> None:
        self.template = template
        self.result = TableResult()
        self.table: str | None = None
        self.block: str | None = None
        self.columns: list[K.Column | None] = []
        self.group: str | None = None
        self.appeal_values: list[str] = []
        self.appeal_header_seen = 0
        # Table 4 as sub-tables under headings naming their row: (row key, its figures)
        self.appeal_groups: list[tuple[str, list[str]]] = []
        self.expect_header = False
        self.positional = False
        self.sparse = False
        # How far Table 2's rows sit right of their columns (a label column split in two),
        # learnt from the rows only one shift fits.
        self.shift: int | None = None
        # Table 3 rows whose blank cells were dropped: row key → (label, figures, total last)
        self.dropped: dict[str, tuple[str, list[str]]] = {}

    # state changes -------------------------------------------------------------------
    def _enter_block(self, block: str) -> None:
        self.table = "proactive"
        self.block = block
        self.columns = list(self._default_columns(block))
        self.expect_header = False

    def _default_columns(self, block: str) -> tuple[K.Column, ...]:
        per = K.PROACTIVE_BLOCKS[block]
        return per.get(self.template) or per.get(K.T2019) or ()

    def _set_header(self, header_cells: list[str | None]) -> None:
        """Map the header of a Table 2 block; unreadable headers keep the template's columns."""
        assert self.block is not None
        defaults = self._default_columns(self.block)
        mapped: list[K.Column | None] = []
        position = 0
        for cell in header_cells:
            if cell is None:
                mapped.append(None)
                continue
            if not cell.strip():
                mapped.append(None)
                continue
            column = match_column(cell, _ALL_BLOCK_COLUMNS[self.block])
            if column is None:
                column = defaults[position] if position < len(defaults) else None
                if column is not None:
                    self.result.warnings.append(
                        f"proactive block {self.block}: header {cell!r} not recognised; "
                        f"read as {column.label} by position")
            elif self.template not in column.templates and self.block == "一" \
                    and column.key in _REG_2019_TO_2021 and self.template == K.T2021:
                target = _REG_2019_TO_2021[column.key]
                self.result.warnings.append(
                    f"proactive block 一: 2019 column {column.label} in a 2021 table, "
                    f"stored as {target}")
                column = next(c for c in K.REG_2021 if c.key == target)
            mapped.append(column)
            position += 1
        if any(mapped):
            self.columns = mapped

    # rows ----------------------------------------------------------------------------
    def feed(self, row: SourceRow) -> None:
        self.positional = row.positional
        self.sparse = row.sparse
        labels, values = _split(row)
        # Numbering kept: '3.其他' is a row, '其他' a column header.
        label_keys = [label_key(lab, keep_numbering=True) for lab in labels]

        if self.expect_header and self.table == "proactive":
            self.expect_header = False
            if not any(v for v in values if v and parse_value(v).number is not None):
                self._set_header([*labels, *values] if not row.positional else
                                 self._header_slots(row))
                return

        named = appeal_row_named(labels[0]) if len(labels) == 1 and not any(v and v.strip() for v in values) \
            else None
        if named:  # '### 行政诉讼（复议后起诉）': the figures that follow are that row's
            self._enter("appeals")
            self.appeal_header_seen += 1
            self.appeal_groups.append((named, []))
            return

        for position, label in enumerate(labels):
            block = match_block(label)
            if block:
                self._enter_block(block)
                return
            if is_info_header(label):
                if self.table != "proactive":
                    self.table = "proactive"
                    self.block = self.block or "一"
                rest = labels[position + 1:]
                if rest or any(v for v in values if v):
                    self._set_header(rest + [v for v in values] if not row.positional
                                     else self._header_slots(row, after=label))
                else:
                    self.expect_header = True
                return
            if is_balance_note(label) or label_keys[position] == "申请人情况":
                self._enter("requests")
                return

        if labels and all(mostly_words(k, APPEAL_HEADER_WORDS) for k in label_keys) and (
                re.search(r"行政复议|复议后起诉|未经复议直接起诉", "".join(label_keys))
                or self.table == "appeals"):
            # Table 4's header; flattened text may run its 15 figures on in the same row.
            self._enter("appeals")
            self.appeal_header_seen += 1
            if any(v and parse_value(v).number is not None for v in values):
                self._collect_appeals(values)
            return
        if labels and all(k in REQUEST_HEADER_WORDS for k in label_keys) and not any(
                v and v.strip() for v in values):
            return  # a requests header row

        if (self.table == "appeals" and not labels) or (
                self.table == "appeals" and self.appeal_header_seen and all(
                    mostly_words(k, APPEAL_HEADER_WORDS) for k in label_keys)):
            self._collect_appeals(values)
            return

        if not labels:
            return
        self._data_row(labels, values)

    def _header_slots(self, row: SourceRow, after: str | None = None) -> list[str | None]:
        cells = list(row.cells)
        if after is not None:
            for index, cell in enumerate(cells):
                if cell is not None and cell.strip() == after:
                    return cells[index + 1:]
        return cells[1:] if cells else []

    def _enter(self, table: str) -> None:
        if table != self.table:
            self.table = table
            self.group = None

    def _collect_appeals(self, values: list[str | None]) -> None:
        if self.appeal_groups:
            self.appeal_groups[-1][1].extend(v for v in values if v is not None)
            return
        self.appeal_values.extend(v for v in values if v is not None)
        if len(self.appeal_values) >= 15:
            self._flush_appeals()

    def _flush_appeal_groups(self) -> None:
        """Sub-tables under headings: each heading's figures are its row's, whatever their order."""
        groups, self.appeal_groups = self.appeal_groups, []
        for key, values in groups:
            row = next(r for r in K.APPEAL_ROWS if r.key == key)
            if len(values) != 5:
                self.result.warnings.append(
                    f"appeals: {len(values)} figures under the heading {row.label}, not 5; its row left out")
                continue
            for col, raw in zip(K.APPEAL_COLUMNS, values, strict=True):
                self._add("appeals", row.key, col.key, raw, f"{row.label} / {col.label}")
        self.table = None

    def _flush_appeals(self) -> None:
        values, self.appeal_values = self.appeal_values, []
        if len(values) > 15:
            readings = merged_readings(values, 15, _group_totals_hold)
            if len(readings) == 1:
                values = readings[0]
            else:
                self.result.warnings.append(
                    f"appeals: {len(values)} figures for 15 cells ({len(readings) or 'no'} consistent joins); "
                    "read as the first 15")
                values = values[:15]
        if not values:
            return
        for index, raw in enumerate(values):
            row = K.APPEAL_ROWS[index // 5]
            col = K.APPEAL_COLUMNS[index % 5]
            self._add("appeals", row.key, col.key, raw, f"{row.label} / {col.label}")
        self.table = None

    def _data_row(self, labels: list[str], values: list[str | None]) -> None:
        labels = [part for label in labels for part in split_group(label)]
        has_values = any(v is not None for v in values)
        # Table 3 first: its labels are long and specific.
        request_match = None
        for label in reversed(labels):
            group = match_group(label)
            if group and group != K.GROUP_OTHER:
                continue
            found = match_request_row(label)
            if found:
                request_match = (label, found[0])
                break
        for label in labels:
            group = match_group(label)
            if group:
                self.group = group
        if request_match and (self.table in ("requests", None) or has_values):
            label, row = request_match
            if row.key == "other" and not has_values:
                self.group = K.GROUP_OTHER
                self._enter("requests")
                return
            if not has_values:
                return
            self._enter("requests")
            self._request_values(row, label, values, self.positional)
            return

        proactive = None
        for label in labels:
            found = match_proactive_row(label)
            if found:
                proactive = (label, found[0])
                break
        if proactive and has_values and (self.table == "proactive" or found[1] == "exact"):
            label, row = proactive
            if self.table != "proactive":
                self._enter("proactive")
                self.block = row.group
                self.columns = list(self._default_columns(row.group or "一"))
            if row.group and row.group != self.block:
                # A row outside its block (a missing block title): use its own block.
                self.block = row.group
                self.columns = list(self._default_columns(row.group))
            self._proactive_values(row, label, values)
            return

        if self.table and has_values and any(
                v is not None and parse_value(v).number is not None for v in values):
            label = " ".join(labels)
            if len(label_key(label)) <= 40:
                self.result.warnings.append(
                    f"{self.table}: row {label!r} matches no canonical key; kept in cells")
                for index, raw in enumerate(v for v in values if v is not None):
                    column = None
                    if self.table == "proactive" and index < len(self.columns):
                        column = self.columns[index].key if self.columns[index] else None
                    self._add(self.table, None, column, raw, label)

    def _request_values(self, row: K.Row, label: str, values: list[str | None],
                        positional: bool = False) -> None:
        slots = list(values)
        count = len(K.REQUEST_COLUMNS)
        present = [v for v in slots if v is not None]
        if len(slots) > count and positional:
            # A grid: slots past the row's last cell are not columns; of the rest, the
            # figures are the last seven (an empty label cell may precede them).
            while len(slots) > count and slots[-1] is None:
                slots.pop()
            slots = slots[-count:]
        elif len(slots) > count and sum(1 for v in present if v.strip()) > count:
            # More figures than columns: a number split by a space (OCR: '23 6' for 236).
            # The readings that join neighbours back and keep the row's total: one, or warned.
            figures = [v for v in present if v.strip()]
            readings = merged_readings(figures, count, _row_total_holds)
            if len(readings) == 1:
                slots = readings[0]
            else:
                self.result.warnings.append(
                    f"requests row {row.key}: {len(figures)} figures for {count} columns "
                    f"({len(readings) or 'no'} consistent joins); read as the first {count}")
                slots = figures[:count]
        elif len(slots) > count:
            # Text sources pad merged cells with extra blanks: keep the first seven.
            slots = slots[:count] if all(v is not None for v in slots[:count]) else present[:count]
        if len(slots) < count:
            filled = [v for v in slots if v is not None and v.strip()]
            numbers = [parse_value(v).number for v in filled]
            if self.sparse and (not filled or (len(filled) >= 2 and None not in numbers and 0 not in numbers
                                               and abs(sum(numbers[:-1]) - numbers[-1]) < 1e-6)):  # type: ignore
                # Blank cells dropped (the figures sum to the last): placed at the end, by
                # the table's identities.
                self.dropped[row.key] = (row.label if label is None else label, filled)
                return
            if len(filled) == 1 and len(slots) <= 2:
                self.result.warnings.append(
                    f"requests row {row.key}: one figure for seven columns, read as the total")
                slots = [None] * (count - 1) + [filled[0]]
            else:
                self.result.warnings.append(
                    f"requests row {row.key}: {len(slots)} of {count} cells present")
        for index, raw in enumerate(slots[:count]):
            if raw is None:
                continue
            column = K.REQUEST_COLUMNS[index]
            self._add("requests", row.key, column.key, raw, row.label if label is None else label)

    def _proactive_values(self, row: K.Row, label: str, values: list[str | None]) -> None:
        columns = self.columns
        slots = list(values)
        if not any(columns):
            return
        if all(c is not None for c in columns) and len(slots) > len(columns):
            figures = [v for v in slots if v is not None and v.strip()]
            slots = [v for v in slots if v is not None][:len(columns)]
            if len(figures) > len(columns):
                # OCR splits a figure ('2 98', '- 3'); Table 2 has no identity to test a join
                # by, so a join is taken only when it is the one way to fit the columns — and said.
                readings = merged_readings(figures, len(columns), lambda _: True, signs=True)
                if len(readings) == 1:
                    slots = readings[0]
                    self.result.warnings.append(
                        f"proactive: row {row.key}: {len(figures)} figures for {len(columns)} columns; "
                        f"read as {' / '.join(slots)} (the only join that fits)")
                else:
                    self.result.warnings.append(
                        f"proactive: row {row.key}: {len(figures)} figures for {len(columns)} columns; "
                        f"read as the first {len(columns)}")
        elif self.positional:
            slots = self._aligned(row, slots)
        for index, raw in enumerate(slots):
            if index >= len(columns) or raw is None:
                continue
            column = columns[index]
            if column is None:
                continue
            self._add("proactive", row.key, column.key, raw, label, unit=column.unit)

    def _aligned(self, row: K.Row, slots: list[str | None]) -> list[str | None]:
        """A Table 2 row's figures under its header's columns.  Where a figure stands outside
        every column (a label column split in two shifts a row by one), the row shifted left
        until every figure is under a column — the one shift that does; failing that, by
        position, with a warning.  A figure repeated across a spanning column (as some
        converters write spans) is that column's."""
        columns = self.columns
        wanted = [i for i, c in enumerate(columns) if c is not None]

        def outside(candidate: list[str | None]) -> bool:
            for index, value in enumerate(candidate):
                if not value or not value.strip() or (index < len(columns) and columns[index] is not None):
                    continue
                left = max((i for i in wanted if i < index), default=None)
                if left is None or left >= len(candidate) or candidate[left] != value:
                    return True
            return False

        fits = []
        for shift in range(len(slots)):
            if shift and slots[shift - 1] not in ("", None):
                break  # only empty slots are dropped
            if not outside(slots[shift:]):
                fits.append(shift)
        if not fits:
            self.result.warnings.append(
                f"proactive: row {row.key}: figures outside the header's columns; read by position")
            return slots

        def reading(shift: int) -> list[str]:
            return [(v or "").strip() for v, c in zip(slots[shift:], columns, strict=False) if c is not None]

        if len({tuple(reading(shift)) for shift in fits}) == 1:
            chosen = fits[0]  # every fitting shift reads the same
        elif self.shift in fits:
            chosen = self.shift  # as the table's other rows are shifted
        else:
            chosen = fits[0]
            self.result.warnings.append(
                f"proactive: row {row.key}: its figures fit the columns shifted by {fits}; read shifted by {chosen}")
        if len(fits) == 1:
            self.shift = chosen
        return slots[chosen:]

    def _add(self, table: str, row: str | None, col: str | None, raw: str, label: str,
             unit: str = "count") -> None:
        value: Value = parse_value(raw)
        number = value.number
        if unit in ("yuan", "10k_yuan"):
            number = convert_money(value, unit)
        elif isinstance(number, float) and number.is_integer():
            number = int(number)
        self.result.cells.append(Cell(table, row, col, number, value.raw, label,
                                      blank=value.blank))

    def _place_dropped(self) -> None:
        """Rows whose blank cells were dropped: the total is the last figure; the others go
        where every placement consistent with the table's identities puts them, else out."""
        dropped, self.dropped = self.dropped, {}
        if all(not figures for _, figures in dropped.values()):
            for key in dropped:  # not a dropped-cell table: a short row
                self.result.warnings.append(f"requests row {key}: 0 of 7 cells present")
            return
        applicants = K.REQUEST_COLUMNS[:-1]
        read: dict[str, dict[str, float | None]] = {}
        for cell in self.result.cells:
            if cell.table == "requests" and cell.row and cell.col:
                read.setdefault(cell.row, {})[cell.col] = 0 if cell.blank else cell.value
        known = {row: tuple(cols.get(c.key) for c in applicants) for row, cols in read.items()}
        known = {row: values for row, values in known.items() if None not in values}
        short = {key: [parse_value(v).number for v in figures[:-1]] for key, (_, figures) in dropped.items()}
        leaves = K.RESULT_LEAVES[K.T2021 if any(k.startswith("other.") for k in (*known, *short))
                                 else K.T2019]
        placed = placement.place(known, short, leaves)  # type: ignore[arg-type]
        left_out = 0
        for key, (label, figures) in dropped.items():
            self._add("requests", key, "total", figures[-1] if figures else "", label)
            settled = placed.cells.get(key, {})
            for index, column in enumerate(applicants):
                if index in settled:
                    figure = settled[index]
                    raw = next((v for v in figures[:-1] if parse_value(v).number == figure), "") if figure else ""
                    self._add("requests", key, column.key, raw, label)
                else:
                    left_out += 1
        how = ("too many placements to try" if not placed.exhausted else
               "none consistent" if not placed.consistent else "cells where every consistent placement agrees")
        self.result.warnings.append(
            f"requests: blank cells dropped in {len(dropped)} rows; their figures placed by the table's "
            f"identities ({how}), {left_out} cells left out")

    def finish(self) -> TableResult:
        if self.dropped:
            self._place_dropped()
        if self.appeal_groups:
            self._flush_appeal_groups()
        if self.appeal_values:
            if len(self.appeal_values) < 15:
                self.result.warnings.append(
                    f"appeals: {len(self.appeal_values)} of 15 figures found")
            self._flush_appeals()
        return self.result


def merged_readings(figures: list[str], count: int, holds, signs: bool = False) -> list[list[str]]:
    """Readings of more figures than cells as ``count`` cells, neighbours joined back where a
    space split a number (OCR; with ``signs``, a lone '-' and the figure after it), kept
    when ``holds`` — the table's rule for the row."""
    gaps = [i for i in range(len(figures) - 1) if (figures[i].isdigit() or (
        signs and figures[i] in ("-", "+") and (i == 0 or figures[i - 1] not in ("-", "+"))))
        and figures[i + 1].isdigit()]
    need = len(figures) - count
    if need <= 0 or need > len(gaps) or need > 4:
        return []
    out = []
    for joins in itertools.combinations(gaps, need):
        merged: list[str] = []
        for index, figure in enumerate(figures):
            if index - 1 in joins:
                merged[-1] += figure
            else:
                merged.append(figure)
        if holds([parse_value(v).number for v in merged]):
            out.append(merged)
    return out


def _row_total_holds(values: list) -> bool:
    return None not in values and sum(values[:6]) == values[6]


def _group_totals_hold(values: list) -> bool:
    return None not in values and all(sum(values[g * 5:g * 5 + 4]) == values[g * 5 + 4] for g in range(3))


_GROUP_PREFIX = re.compile(
    r"^\s*(三[、,.．]\s*本年度办理结果|[(（]\s*[三四五六]\s*[)）]\s*(?:不予公开|无法提供|不予处理|其他处理))\s*(\S.*)$")


def split_group(label: str) -> list[str]:
    """A group label and the row label after it in one cell ('三、本年度办理结果 （一）予以公开',
    as OCR and some flattenings give a row): two labels."""
    match = _GROUP_PREFIX.match(label)
    if match and (match_request_row(match.group(2)) or _GROUP_PREFIX.match(match.group(2))):
        return [match.group(1), *split_group(match.group(2))]
    return [label]


def appeal_row_named(text: str) -> str | None:
    """The Table 4 row a heading names ('行政诉讼（未经复议直接起诉）' → litigation_direct)."""
    key = label_key(text)
    if len(key) > 16 or not re.search(r"复议|诉讼", key):
        return None
    if "未经复议" in key:
        return "litigation_direct"
    if "复议后" in key:
        return "litigation_after_review"
    if key.startswith("行政复议") and "诉讼" not in key:
        return "review"
    return None


def interpret(rows: list[SourceRow], template: str) -> TableResult:
    """Map rows to canonical cells; blanks become 0 only in tables that have figures."""
    interpreter = _Interpreter(template)
    for row in rows:
        interpreter.feed(row)
    result = interpreter.finish()
    _dedupe(result)
    _settle_blanks(result)
    _derive_other(result, template)
    return result


def _dedupe(result: TableResult) -> None:
    """A key read twice (a table printed twice, a repeated row) keeps its first reading."""
    seen: dict[str, Cell] = {}
    kept: list[Cell] = []
    for cell in result.cells:
        key = cell.key
        if key is None:
            kept.append(cell)
            continue
        if key in seen:
            first = seen[key]
            if first.value != cell.value and not cell.blank:
                result.warnings.append(
                    f"{key}: read twice ({first.raw!r} and {cell.raw!r}); first kept")
            continue
        seen[key] = cell
        kept.append(cell)
    result.cells = kept


def _settle_blanks(result: TableResult) -> None:
    for table in ("proactive", "requests", "appeals"):
        cells = [c for c in result.cells if c.table == table]
        has_figures = any(c.value is not None and not c.blank for c in cells)
        for cell in cells:
            if cell.blank:
                cell.value = 0 if has_figures else None


def _derive_other(result: TableResult, template: str) -> None:
    """2021: （六）其他处理 = the sum of its three sub-rows, listed as derived."""
    by_key = {c.key: c for c in result.cells if c.key}
    for column in K.REQUEST_COLUMNS:
        if f"requests.other.{column.key}" in by_key:
            continue
        parts = [by_key.get(f"requests.other.{sub}.{column.key}")
                 for sub in ("no_correction", "unpaid_fee", "other")]
        if any(p is None for p in parts) or any(p.value is None for p in parts):  # type: ignore[union-attr]
            continue
        total = sum(p.value for p in parts)  # type: ignore[union-attr, misc]
        result.cells.append(Cell("requests", "other", column.key, total, "",
                                 K.GROUP_OTHER, derived=True))
