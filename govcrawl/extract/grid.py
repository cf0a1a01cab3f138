"""HTML ``<table>`` → a rectangular grid with rowspan/colspan expanded.

Each slot knows the cell it came from, so a merged cell is read once (its first slot)
while its other slots keep the columns aligned.
"""

from __future__ import annotations

from lxml import etree

from govcrawl.extract.document import SourceRow

MAX_SPAN = 64  # real tables never span more; bigger numbers are markup errors
MAX_CELLS = 20_000  # slots of one table (a report's largest has about 300)
MAX_DOCUMENT_CELLS = 200_000  # slots of all a document's tables together


_STRING = etree.XPath("string()")


def cell_text(element: etree._Element) -> str:
    """Text of a cell, whitespace folded; <br>-broken labels rejoin ('商业<br>企业')."""
    return " ".join(_STRING(element).split())


def _span(value: str | None) -> int:
    if value is None:
        return 1
    value = value.strip()
    if value.isdigit():
        return max(1, min(MAX_SPAN, int(value)))
    return 1


def table_rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows (not those of nested tables)."""
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if r.tag == "tr")
    return rows


class Budget:
    """Grid slots a document may still expand: merged cells are expanded only within it, so
    a page of huge spans costs a bounded time and memory (a warning says what was left)."""

    def __init__(self, cells: int = MAX_DOCUMENT_CELLS) -> None:
        self.left = cells
        self.exhausted = False


def expand(table: etree._Element, budget: Budget | None = None) -> list[list[tuple[int, str] | None]]:
    """Grid of (cell id, text) per slot; a merged cell's extra slots hold its id too.

    Spans are counted before they are expanded: past :data:`MAX_CELLS` slots in the table,
    or the document's ``budget``, the rest of the table is left out.
    """
    budget = budget or Budget()
    rows = table_rows(table)
    height = len(rows)
    grid: list[list[tuple[int, str] | None]] = [[] for _ in range(height)]
    cell_id = 0
    width = 0
    cells_seen = 0
    for r, tr in enumerate(rows):
        line = grid[r]
        c = 0
        for td in tr:
            if td.tag != "td" and td.tag != "th":
                continue
            while c < len(line) and line[c] is not None:
                c += 1
            rowspan = min(_span(td.get("rowspan")), height - r)
            colspan = _span(td.get("colspan"))
            if cells_seen + rowspan * colspan > min(MAX_CELLS, budget.left):
                budget.exhausted = True
                break
            slot = (cell_id, cell_text(td))
            for dr in range(rowspan):
                target = grid[r + dr]
                if len(target) < c + colspan:
                    target.extend([None] * (c + colspan - len(target)))
                for dc in range(colspan):
                    target[c + dc] = slot
            cell_id += 1
            c += colspan
            width = max(width, c)
            cells_seen += rowspan * colspan
        if budget.exhausted:
            break
    budget.left -= cells_seen
    for line in grid:
        if len(line) < width:
            line.extend([None] * (width - len(line)))
    return grid


def grid_rows(grid: list[list[tuple[int, str] | None]]) -> list[SourceRow]:
    """Rows for the interpreter: each cell's text in its first slot, ``None`` elsewhere."""
    seen: set[int] = set()
    out: list[SourceRow] = []
    for row in grid:
        cells: list[str | None] = []
        for slot in row:
            if slot is None:
                cells.append(None)  # no cell here at all (a short row), not an empty one
                continue
            cid, text = slot
            if cid in seen:
                cells.append(None)
            else:
                seen.add(cid)
                cells.append(text)
        if any(c is not None and c.strip() for c in cells) or any(c == "" for c in cells):
            out.append(SourceRow(cells, positional=True))
    return out


