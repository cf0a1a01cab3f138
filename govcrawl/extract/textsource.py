"""Text with flattened tables → :class:`Document`.

Tools flatten tables in three ways, all seen in real material:
- a row per line, cells joined by ``|`` (merged cells leave empty cells behind);
- a cell per line with ``|`` on lines of their own;
- a cell per line separated by blank lines, an extra blank line per empty cell.
Labels may be broken across lines (``商业\\n企业``) and page footers (``- 4 -``) may sit
inside a table.  The rows handed to the interpreter start at every recognised label.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from govcrawl.extract import glued
from govcrawl.extract import labels as L
from govcrawl.extract.decode import decode_bytes
from govcrawl.extract.document import Document, SourceRow
from govcrawl.extract.meta import title_lines
from govcrawl.extract.normalize import label_key, parse_value
from govcrawl.extract.tables import split_group

_FOOTER = re.compile(
    r"^\s*(?:[-—–－]+\s*\d{1,3}\s*[-—–－]+|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|"
    r"\d+\s*/\s*\d+|共\s*\d+\s*页\s*第\s*\d+\s*页)\s*$"
)
_ALL_COLUMNS = None


def is_footer(line: str) -> bool:
    """Page footers and headers that PDF-to-text leaves inside tables."""
    return bool(_FOOTER.match(line))


def _known_label(text: str) -> bool:
    """Is this fragment a complete table label or header word on its own?"""
    key = label_key(text)
    if not key:
        return False
    if key in L.REQUEST_HEADER_WORDS or key in L.APPEAL_HEADER_WORDS:
        return True
    return bool(
        L.match_block(text) or L.is_info_header(text) or L.is_balance_note(text)
        or L.match_group(text) or _exact_row(text) or _is_column(text)
        or len(split_group(text)) > 1  # '三、本年度办理结果 （一）予以公开'
    )


def _exact_row(text: str) -> bool:
    request = L.match_request_row(text)
    if request and request[1] == "exact":
        return True
    proactive = L.match_proactive_row(text)
    return bool(proactive and proactive[1] == "exact")


def _is_column(text: str) -> bool:
    from govcrawl.extract import keys as K

    global _ALL_COLUMNS
    if _ALL_COLUMNS is None:
        _ALL_COLUMNS = tuple(c for per in K.PROACTIVE_BLOCKS.values()
                             for cols in per.values() for c in cols)
    column = L.match_column(text, _ALL_COLUMNS)
    return column is not None and label_key(column.label) == label_key(text)


def _row_start(text: str) -> bool:
    """Does a row begin at this cell (a row label, block title or table header)?"""
    if not text or len(text) > 80:
        return False
    if L.match_block(text) or L.is_info_header(text) or L.is_balance_note(text):
        return True
    if L.match_group(text) or L.match_request_row(text) or L.match_proactive_row(text):
        return True
    if len(split_group(text)) > 1:  # '三、本年度办理结果 （一）予以公开': a group and its first row
        return True
    key = label_key(text)
    return key in ("申请人情况", "行政复议") or (
        key.startswith("行政复议") and L.mostly_words(key, L.APPEAL_HEADER_WORDS))


def _merge_fragments(cells: list[str]) -> list[str]:
    """Rejoin labels broken across lines: '商业' + '企业' → '商业企业' when that is a label."""
    out: list[str] = []
    index = 0
    while index < len(cells):
        cell = cells[index]
        merged_until = None
        if cell and not _is_value(cell) and not _known_label(cell):
            joined = cell
            for following in range(index + 1, min(index + 4, len(cells))):
                nxt = cells[following]
                if not nxt or _is_value(nxt):
                    break
                joined += nxt
                if _known_label(joined):
                    merged_until = following
                    break
        if merged_until is None:
            out.append(cell)
            index += 1
        else:
            out.append("".join(cells[index:merged_until + 1]))
            index = merged_until + 1
    return out


def _is_value(text: str) -> bool:
    value = parse_value(text)
    return value.number is not None and not value.blank


def _pipe_rows(text: str) -> list[SourceRow]:
    """A row per line, cells split at '|'; lines without '|' are one-cell rows."""
    rows: list[SourceRow] = []
    for line in text.split("\n"):
        if is_footer(line) or not line.strip():
            continue
        if "|" not in line:
            rows.append(SourceRow([line.strip()]))
            continue
        cells = [c.strip() for c in line.split("|")]
        if line.lstrip().startswith("|"):
            cells = cells[1:]
        if line.rstrip().endswith("|") and cells and cells[-1] == "":
            cells = cells[:-1]  # the row terminator, not an empty cell
        rows.append(SourceRow(list(_merge_fragments(cells))))
    return _split_at_labels(rows)


def _cells_from_lines(text: str) -> list[str]:
    """Cell-per-line text: empty cells from extra blank lines (or '|' separator lines)."""
    lines = text.split("\n")
    pipes_as_separators = sum(1 for line in lines if line.strip() == "|") >= 2 or sum(
        1 for line in lines if line.rstrip().endswith("|")) > 5
    if pipes_as_separators:
        joined = "\n".join(line for line in lines if not is_footer(line))
        cells: list[str] = []
        for piece in joined.split("|"):
            parts = [p.strip() for p in piece.split("\n") if p.strip()]
            if not parts:
                cells.append("")
                continue
            slots = _row_slots(piece)
            if slots is not None:
                cells.extend(slots)
            else:
                cells.extend(_merge_fragments(parts) if len(parts) > 1 else parts)
        return cells
    gaps: Counter[int] = Counter()
    run = 0
    for line in lines:
        if line.strip():
            if run:
                gaps[run + 1] += 1
            run = 0
        else:
            run += 1
    # Every line break doubled (CR LF read as two breaks): no odd run of breaks anywhere.
    doubled = 2 if gaps and max(gaps) >= 4 and all(gap % 2 == 0 for gap in gaps) else 1
    base = 2 if gaps and gaps.most_common(1)[0][0] // doubled >= 2 else 1
    cells = []
    run = 0
    for line in lines:
        if is_footer(line):
            continue
        if line.strip():
            if cells:
                cells.extend([""] * max(0, (run + 1) // doubled - base))
            cells.append(line.strip())
            run = 0
        else:
            run += 1
    return _merge_fragments(cells)


def _row_slots(piece: str) -> list[str] | None:
    """A row between two '|' lines, a cell per line: its label lines, then one slot per line
    (an empty line is an empty cell — a viewer puts a blank cell on a line of its own).
    ``None`` where the piece does not start with a row label."""
    lines = [line.strip() for line in piece.split("\n")]
    if lines and not lines[0]:
        lines = lines[1:]  # the rest of the '|' line before
    if lines and not lines[-1]:
        lines = lines[:-1]  # the end of the line before the next '|'
    count = 0
    while count < len(lines) and lines[count] and not _is_value(lines[count]):
        count += 1
    if not count or not any(_row_start(label) for label in lines[:count]):
        return None
    labels = _merge_fragments(lines[:count])
    slots: list[str] = []
    rest = lines[count:]
    while rest and (not rest[0] or _is_value(rest[0]) or _FIGURE_RUN.match(rest[0]) or is_footer(rest[0])):
        line = rest.pop(0)
        if not is_footer(line):
            slots.extend(line.split() if _FIGURE_RUN.match(line) else [line])  # '23 4 27': three cells
    if rest:  # the table ended without a closing '|': what follows is read as any text
        slots += _merge_fragments([line for line in rest if line])
    return labels + slots


def _is_title(cell: str | None) -> bool:
    return bool(cell) and bool(L.is_balance_note(cell) or L.match_block(cell) or L.is_info_header(cell))


def _split_at_labels(rows: list[SourceRow]) -> list[SourceRow]:
    """Start a new row at each label inside a long run of cells."""
    out: list[SourceRow] = []
    for row in rows:
        current: list[str | None] = []
        seen_value = False
        for cell in row.cells:
            # A row ends at the next label, or at text after its figures (the table's end).
            ends = cell is not None and seen_value and len(cell) >= 6 and not _is_value(cell)
            # A data row right after a table's title or corner note (on one OCR line).
            after_title = cell is not None and bool(current) and _is_title(current[-1]) and bool(
                L.match_request_row(cell) or L.match_proactive_row(cell) or len(split_group(cell)) > 1)
            if ends or after_title or (cell is not None and _row_start(cell) and (seen_value or (
                    current and not _row_start(current[-1] or "") and current[-1] != ""))):
                out.append(SourceRow(current))
                current = []
                seen_value = False
            current.append(cell)
            if cell is not None and (cell == "" or _is_value(cell)):
                seen_value = True
        if current:
            out.append(SourceRow(current))
    return out


_FIGURE = r"(?:[-+]?[\d,]+(?:[.．]\d+)?(?:万?元)?|/|—|-|[Oo〇](?![A-Za-z]))"
_O_IN_FIGURE = re.compile(r"(?<=\d)[Oo](?![A-Za-z])|(?<![A-Za-z])[Oo](?=\d)")  # '2O' (OCR): 20
_SPLIT_DECIMAL = re.compile(r"(?<=\d)([.．])\s+(?=\d)")  # '60. 23' (OCR): one figure
_LONE_PLUS = re.compile(r"(?<=\s)[+＋]\s+(?=\d)")  # '+ 5' (OCR): a '+' is never a figure of its own
_OCR_ZERO = re.compile(r"(?<![A-Za-z])[Oo〇](?![A-Za-z])|(?<=\d)[Oo]|[Oo](?=\d)")
_FIGURE_RUN = re.compile(rf"^{_FIGURE}(?:\s+{_FIGURE})+$")
_NUMBER_RUN = re.compile(rf"^(.*?)\s+({_FIGURE}(?:\s+{_FIGURE})*)\s*$|^({_FIGURE}(?:\s+{_FIGURE})+)\s*$")


def split_number_runs(text: str, least: int = 3) -> str:
    """PDF-to-text rows ('一、本年新收…数量 3001 53 0 0 61 4 3119'): one cell per line.

    A line ending in three or more figures (or in any after a known label) is split into
    its label and its figures; labels broken over lines are rejoined later.
    """
    out = []
    for line in text.split("\n"):
        line = _SPLIT_DECIMAL.sub(r"\1", _LONE_PLUS.sub("+", _O_IN_FIGURE.sub("0", line)))
        match = _NUMBER_RUN.match(line.strip())
        if _FIGURE_RUN.match(line.strip()) and len(line.split()) >= max(3, least):
            out.extend(_OCR_ZERO.sub("0", figure) for figure in line.split())
            continue
        if match:
            label = (match.group(1) or "").strip()
            # OCR reads 0 as O (or 〇) now and then: inside a run of figures it is a zero.
            figures = _OCR_ZERO.sub("0", match.group(2) or match.group(3)).split()
            if len(figures) >= max(3, least) or (label and _row_start(label) and least <= 3):
                if label:
                    out.append(label)
                out.extend(figures)
                continue
        out.append(line)
    return "\n".join(out)


_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
_MD_HEADING = re.compile(r"^\s*(?:#{1,6}\s+|[*_]{2})(.+?)(?:[*_]{2})?\s*$")


def markdown_rows(text: str) -> list[SourceRow]:
    """Markdown (a PDF converted by marker, docling and the like) → grid rows, as the HTML
    reader gives them.

    A table's rows become positional rows; a merged cell the converter repeated across its
    slots (docling) or left empty (marker) is read once, its other slots ``None`` — as a
    grid's.  Headings (``### 行政复议``, ``**第二十条第（一）项**``) become rows of their own: a
    heading that names a row of Table 4 places the sub-table under it.
    """
    rows: list[SourceRow] = []
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            rows.extend(_markdown_table(table))
            table.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        if _MD_SEPARATOR.match(stripped):
            continue
        if stripped.startswith("|") or (stripped.count("|") >= 2 and stripped.strip("| ")):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            table.append([re.sub(r"^[*_]{2}(.*?)[*_]{2}$", r"\1", c) for c in cells])
            continue
        flush()
        if stripped and not is_footer(stripped):
            heading = _MD_HEADING.match(stripped)
            rows.append(SourceRow([heading.group(1).strip() if heading else stripped]))
    flush()
    return rows


def _markdown_table(table: list[list[str]]) -> list[SourceRow]:
    width = max(len(row) for row in table)
    grid = [row + [""] * (width - len(row)) for row in table]
    out: list[SourceRow] = []
    for r, row in enumerate(grid):
        cells: list[str | None] = []
        for c, cell in enumerate(row):
            label = bool(cell) and not _is_value(cell) and not parse_value(cell).blank
            repeated_left = label and c > 0 and row[c - 1] == cell
            repeated_above = label and r > 0 and grid[r - 1][c] == cell and not _is_value(cell)
            cells.append(None if repeated_left or repeated_above else cell)
        if any(c is not None and c.strip() for c in cells) or any(c == "" for c in cells):
            out.append(SourceRow(cells, positional=True))
    return out


def _is_pipe_row(line: str) -> bool:
    return line.count("|") >= 2 and bool(line.strip("| \t"))


_FIGURES_ALONE = re.compile(rf"^{_FIGURE}(?:\s+{_FIGURE})*$")


def has_flattened_table(text: str) -> bool:
    """Does the text hold a table flattened into lines — three lines of figures alone, of a
    label and its figures, or of cells between '|'?  Prose never does, and reading a long prose page as a table costs
    more than the rest of its reading (a page whose reader found no table asks this first)."""
    found = 0
    for line in text.split("\n"):
        stripped = line.strip()
        cell = stripped.strip("|").strip()  # '0 |': a cell per line, '|' after each
        run = _NUMBER_RUN.match(cell)  # a row per line: its label, then three figures or more
        if cell and (_is_pipe_row(stripped) or _FIGURES_ALONE.match(cell)
                     or (run and len((run.group(2) or run.group(3)).split()) >= 3)):
            found += 1
            if found == 3:
                return True
    return False


def _regions(lines: list[str]) -> list[tuple[bool, list[str]]]:
    """Runs of lines flattened one way: rows joined by '|' (True) or anything else.

    One document may hold both (a page saver's Table 2 as '|' rows, its Table 3 a cell
    per line), so each run is read by its own rule.  Lines without '|' between two '|'
    rows (a block title) stay with them.
    """
    pipe = [_is_pipe_row(line) for line in lines]
    marks = [index for index, is_pipe in enumerate(pipe) if is_pipe]
    if len(marks) < 2:
        return [(False, lines)]
    inside = [False] * len(lines)
    for first, second in itertools.pairwise(marks):
        if second - first <= 3:
            for index in range(first, second + 1):
                inside[index] = True
    for index in marks:
        inside[index] = True
    regions: list[tuple[bool, list[str]]] = []
    for is_pipe, run in itertools.groupby(zip(inside, lines, strict=True), key=lambda pair: pair[0]):
        regions.append((is_pipe, [line for _, line in run]))
    return regions


def _cell_rows(text: str) -> list[SourceRow]:
    lines = text.split("\n")
    # Many lines of figures: a table flattened a row per line.  Otherwise only a line of
    # five or more figures is one (Table 4's fifteen in a table read a cell per line).
    many = sum(1 for line in lines if _NUMBER_RUN.match(line.strip())) >= 3
    text = split_number_runs(text, 3 if many else 5)
    rows = _split_at_labels([SourceRow(list(_cells_from_lines(unstack_headers(text))))])
    for row in rows:
        row.sparse = True
    return rows


def text_rows(text: str) -> list[SourceRow]:
    """Flattened text → rows for the table interpreter, whatever the flattening style."""
    lines = text.split("\n")
    if any(_MD_SEPARATOR.match(line.strip()) for line in lines):
        return markdown_rows(text)
    rows: list[SourceRow] = []
    for is_pipe, run in _regions(lines):
        rows.extend(_pipe_rows("\n".join(run)) if is_pipe else _cell_rows("\n".join(run)))
    return rows


_HEADER_VOCABULARY = sorted({w for w in (*L.REQUEST_HEADER_WORDS, *L.APPEAL_HEADER_WORDS)}, key=len, reverse=True)
_ONE_CHAR = re.compile(r"^\s*[\u4e00-\u9fff]\s*$")


def _segment(joined: str) -> list[str] | None:
    """Split a stacked header back into its words, if the words cover it all."""
    words: list[str] = []
    position = 0
    while position < len(joined):
        word = next((w for w in _HEADER_VOCABULARY if joined.startswith(w, position)), None)
        if word is None:
            return None
        words.append(word)
        position += len(word)
    return words


def unstack_headers(text: str) -> str:
    """A header a PDF viewer copies one character per line ('申\\n请\\n人…') → its words,
    one per line; a run the header words do not cover is joined as one line."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and _ONE_CHAR.match(lines[end]):
            end += 1
        if end - index >= 4:
            joined = "".join(line.strip() for line in lines[index:end])
            out.extend(_segment(label_key(joined)) or [joined])
            index = end
        else:
            out.append(lines[index])
            index += 1
    return "\n".join(out)


def parse_text(data: bytes, path: str) -> Document:
    decoded = decode_bytes(data)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    warnings = list(decoded.warnings)
    if glued.is_glued(text):  # the figures of each row run together: read back where unambiguous
        found = glued.decode(text)
        rows, warnings = found.rows, warnings + found.warnings
    else:
        rows = text_rows(text)
    titles = title_lines(text.split("\n")[:30])
    return Document("text/plain", text, rows, titles, {}, warnings, decoded.encoding)
