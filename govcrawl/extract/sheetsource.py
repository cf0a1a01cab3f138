"""Spreadsheets (XLSX, XLS) → :class:`Document`: each sheet's rows as a grid.

Merged cells read once (their top-left), ``None`` elsewhere, like the other grids.
XLSX is a ZIP of XML: the archive is checked for decompression bombs and openpyxl
parses it through defusedxml (no entity expansion).  XLS goes through xlrd.
"""

from __future__ import annotations

import io
import zipfile

from govcrawl.extract.document import Document, SourceRow
from govcrawl.extract.errors import ExtractionError

MAX_SHEET_BYTES = 64 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_CELLS = 200_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"


def check_zip(data: bytes, path: str) -> zipfile.ZipFile:
    """Open an Office ZIP, refusing decompression bombs before anything is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ExtractionError(path, "not a readable Office file (bad ZIP)") from None
    total = sum(i.file_size for i in members)
    if total > MAX_UNCOMPRESSED or any(i.file_size > MAX_RATIO * max(i.compress_size, 1)
                                       and i.file_size > 1024 * 1024 for i in members):
        raise ExtractionError(path, "Office file expands too much (a decompression bomb?)")
    for info in members:
        if info.filename.endswith((".xml", ".rels")):
            with archive.open(info) as member:
                head = member.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                # Office XML never declares a DTD: entity expansion tricks are refused unread.
                raise ExtractionError(path, f"XML with a DTD in {info.filename} (entity tricks refused)")
    return archive


def _trim(values: list[str | None]) -> list[str | None]:
    """A sheet has no row ends: trailing empty cells past a table's width are not cells."""
    end = len(values)
    while end and not values[end - 1]:
        end -= 1
    return values[:end] + [None] * (len(values) - end)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_xlsx(data: bytes, path: str) -> Document:
    if len(data) > MAX_SHEET_BYTES:
        raise ExtractionError(path, f"spreadsheet too large ({len(data)} bytes)")
    check_zip(data, path)
    import defusedxml  # noqa: F401  (openpyxl parses through it when it is installed)
    import openpyxl
    from openpyxl.cell.cell import MergedCell

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise ExtractionError(path, f"unreadable XLSX ({type(exc).__name__}: {exc})") from None
    rows: list[SourceRow] = []
    lines: list[str] = []
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            values = [None if isinstance(c, MergedCell) else _text(c.value) for c in row]
            cells += len(values)
            if cells > MAX_CELLS:
                raise ExtractionError(path, f"spreadsheet has more than {MAX_CELLS} cells")
            if any(values):
                rows.append(SourceRow(_trim(values), positional=True))
                lines.append(" ".join(v for v in values if v))
    return Document(XLSX, "\n".join(lines), rows, lines[:8], {}, [])


def parse_xls(data: bytes, path: str) -> Document:
    if len(data) > MAX_SHEET_BYTES:
        raise ExtractionError(path, f"spreadsheet too large ({len(data)} bytes)")
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as exc:
        raise ExtractionError(path, f"unreadable XLS ({type(exc).__name__}: {exc})") from None
    rows: list[SourceRow] = []
    lines: list[str] = []
    for sheet in book.sheets():
        covered = {(r, c) for r0, r1, c0, c1 in sheet.merged_cells
                   for r in range(r0, r1) for c in range(c0, c1) if (r, c) != (r0, c0)}
        for r in range(min(sheet.nrows, 5000)):
            values = [None if (r, c) in covered else _text(sheet.cell_value(r, c))
                      for c in range(min(sheet.ncols, 200))]
            if any(values):
                rows.append(SourceRow(_trim(values), positional=True))
                lines.append(" ".join(v for v in values if v))
    return Document(XLS, "\n".join(lines), rows, lines[:8], {}, [])
