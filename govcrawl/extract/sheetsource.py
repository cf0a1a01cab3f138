"""Spreadsheets (XLSX, XLS) → :class:`Document`: each sheet's rows as a grid.

Merged cells read once (their top-left), ``None`` elsewhere, like the other grids.
XLSX is a ZIP of XML: the archive is checked for decompression bombs and openpyxl
parses it through defusedxml (no entity expansion).  XLS goes through xlrd.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from govcrawl.extract.document import Document, SourceRow
from govcrawl.extract.errors import ExtractionError

MAX_SHEET_BYTES = 64 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_CELLS = 200_000
XLS_ROWS, XLS_COLUMNS = 5000, 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"


# What a damaged ZIP raises, from zipfile and zlib, while its members are read.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError, NotImplementedError,
              RuntimeError, UnicodeDecodeError)


def read_member(archive: zipfile.ZipFile, name: str | zipfile.ZipInfo, path: str, limit: int = -1) -> bytes:
    """One member's bytes (at most ``limit``); a damaged one is a clear error, not a crash."""
    try:
        with archive.open(name) as member:
            return member.read(limit)
    except ZIP_ERRORS as exc:
        member_name = name.filename if isinstance(name, zipfile.ZipInfo) else name
        raise ExtractionError(path, f"corrupt Office file ({member_name}: {type(exc).__name__}: {exc})") from None


def check_zip(data: bytes, path: str) -> zipfile.ZipFile:
    """Open an Office ZIP, refusing decompression bombs before anything is inflated, and
    damaged archives (bad CRC, truncated members) before any reader meets them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except ZIP_ERRORS:
        raise ExtractionError(path, "not a readable Office file (bad ZIP)") from None
    total = sum(i.file_size for i in members)
    if total > MAX_UNCOMPRESSED or any(i.file_size > MAX_RATIO * max(i.compress_size, 1)
                                       and i.file_size > 1024 * 1024 for i in members):
        raise ExtractionError(path, "Office file expands too much (a decompression bomb?)")
    for info in members:
        if info.filename.endswith((".xml", ".rels")):
            # Read whole: its CRC is checked at the end (sizes are bounded above).
            content = read_member(archive, info, path)
            if b"<!DOCTYPE" in content[:4096] or b"<!ENTITY" in content[:4096]:
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


_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"[^>]*/>')
MAX_MERGE_ROWS, MAX_MERGE_COLUMNS = 500, 100  # no report table spans more


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _letters(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def clip_merges(archive: zipfile.ZipFile, path: str) -> tuple[bytes | None, list[str]]:
    """The XLSX rewritten with every merged range clipped to the cells its sheet uses (and to
    a table's size), or None when nothing needed clipping.

    openpyxl creates an object for every cell of a merged range when it loads a sheet: a
    4 KB file merging A1:XFD1048576 would ask for 17 billion.  Clipped first, it asks for
    no more cells than the sheet has.
    """
    warnings: list[str] = []
    changed: dict[str, bytes] = {}
    for info in archive.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        xml = read_member(archive, info, path)
        if b"<mergeCell" not in xml:
            continue
        rows = cols = 1
        for letters, row in _CELL_REF.findall(xml):
            rows, cols = max(rows, int(row)), max(cols, _column(letters))

        def clip(match: re.Match[bytes], rows: int = rows, cols: int = cols) -> bytes:
            c1, r1, c2, r2 = _column(match.group(1)), int(match.group(2)), _column(match.group(3)), int(match.group(4))
            nc2 = min(c2, cols, c1 + MAX_MERGE_COLUMNS - 1)
            nr2 = min(r2, rows, r1 + MAX_MERGE_ROWS - 1)
            if (nc2, nr2) == (c2, r2):
                return match.group(0)
            ref = f"{match.group(1).decode()}{r1}:{match.group(3).decode()}{r2}"
            warnings.append(f"merged range {ref} clipped to the cells the sheet uses")
            if nc2 < c1 or nr2 < r1 or (nc2, nr2) == (c1, r1):
                return b""
            return f'<mergeCell ref="{_letters(c1)}{r1}:{_letters(nc2)}{nr2}"/>'.encode()

        clipped = _MERGE.sub(clip, xml)
        if clipped != xml:
            changed[info.filename] = clipped
    if not changed:
        return None, warnings
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for info in archive.infolist():
            rewritten.writestr(info, changed.get(info.filename) or read_member(archive, info, path))
    return out.getvalue(), warnings


def parse_xlsx(data: bytes, path: str) -> Document:
    if len(data) > MAX_SHEET_BYTES:
        raise ExtractionError(path, f"spreadsheet too large ({len(data)} bytes)")
    rewritten, warnings = clip_merges(check_zip(data, path), path)
    data = rewritten or data
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
    return Document(XLSX, "\n".join(lines), rows, lines[:8], {}, warnings)


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
        height, width = min(sheet.nrows, XLS_ROWS), min(sheet.ncols, XLS_COLUMNS)
        # Merged ranges only within what is read (a range may claim the whole sheet).
        covered = {(r, c) for r0, r1, c0, c1 in sheet.merged_cells
                   for r in range(r0, min(r1, height)) for c in range(c0, min(c1, width)) if (r, c) != (r0, c0)}
        for r in range(height):
            values = [None if (r, c) in covered else _text(sheet.cell_value(r, c)) for c in range(width)]
            if any(values):
                rows.append(SourceRow(_trim(values), positional=True))
                lines.append(" ".join(v for v in values if v))
    return Document(XLS, "\n".join(lines), rows, lines[:8], {}, [])
