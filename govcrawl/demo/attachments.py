"""Report attachments as portals publish them: PDF (text layer), DOCX (real merged cells),
and the PNG pictures that stand in for tables published as images.

All deterministic: same report → same bytes (fixed PDF and ZIP timestamps).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from govcrawl.demo import samples as S

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


# --- PNG ----------------------------------------------------------------------------------

def placeholder_png(width: int = 120, height: int = 60, shade: int = 200) -> bytes:
    """A small grey picture: a table published as an image carries no text to extract."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + bytes([shade]) * width
    raw = row * height
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def place(rows: list[list[S.Cell]]) -> list[tuple[int, int, str, int, int]]:
    """Grid positions of a table's cells: (row, column, text, rowspan, colspan)."""
    placed = []
    occupied: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in occupied:
                c += 1
            placed.append((r, c, text, rowspan, colspan))
            occupied.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
            c += colspan
    return placed


# --- DOCX ---------------------------------------------------------------------------------

def _grid_to_docx(document, rows: list[list[S.Cell]]) -> None:
    width = sum(colspan for _, _, colspan in rows[0])
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, c, text, rowspan, colspan in place(rows):
        cell = table.cell(r, c)
        if rowspan > 1 or colspan > 1:
            cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
        cell.text = text


def render_docx(spec: S.ReportSpec) -> bytes:
    """The report as a Word document whose tables keep the template's merged cells."""
    import docx

    document = docx.Document()
    document.core_properties.title = spec.report_title
    document.core_properties.author = spec.agency
    document.add_heading(spec.report_title, level=1)
    document.add_paragraph(S.opening(spec))
    for number, (heading, text) in enumerate(S.report_sections(spec), start=1):
        document.add_paragraph(heading)
        document.add_paragraph(text)
        grid = {2: S.proactive_grid, 3: S.requests_grid, 4: S.appeals_grid}.get(number)
        if grid:
            _grid_to_docx(document, grid(spec))
    buffer = io.BytesIO()
    document.save(buffer)
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with fixed member timestamps so that output is byte-identical."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------

_FONT = "STSong-Light"
_PAGE_W, _PAGE_H = 595.0, 842.0
_MARGIN = 50.0


def _wrap(text: str, per_line: int) -> list[str]:
    return [text[i:i + per_line] for i in range(0, len(text), per_line)] or [""]


class _Pdf:
    """A minimal page-flowing writer: paragraphs and ruled tables with merged cells."""

    def __init__(self, title: str) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        if _FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=(_PAGE_W, _PAGE_H), invariant=1)
        self.canvas.setTitle(title)
        self.page = 1
        self.y = _PAGE_H - _MARGIN

    def _new_page(self) -> None:
        self.canvas.setFont(_FONT, 9)
        self.canvas.drawCentredString(_PAGE_W / 2, 25, f"- {self.page} -")
        self.canvas.showPage()
        self.page += 1
        self.y = _PAGE_H - _MARGIN

    def paragraph(self, text: str, size: float = 10.5) -> None:
        per_line = int((_PAGE_W - 2 * _MARGIN) / size)
        for line in _wrap(text, per_line):
            if self.y < _MARGIN + size:
                self._new_page()
            self.canvas.setFont(_FONT, size)
            self.canvas.drawString(_MARGIN, self.y, line)
            self.y -= size * 1.6

    def table(self, rows: list[list[S.Cell]], size: float = 7.0) -> None:
        width = sum(colspan for _, _, colspan in rows[0])
        col_w = (_PAGE_W - 2 * _MARGIN) / width
        placed = place(rows)
        heights = [size * 2.2] * len(rows)
        for r, _c, text, rowspan, colspan in placed:
            if rowspan == 1:
                lines = len(_wrap(text, max(1, int(col_w * colspan / size) - 1)))
                heights[r] = max(heights[r], lines * size * 1.3 + size)
        tops = []
        y = self.y
        for r, height in enumerate(heights):
            if y - height < _MARGIN:
                self._draw_cells(placed, tops, heights, col_w, size, upto=r)
                placed = [p for p in placed if p[0] >= r]
                self._new_page()
                y = self.y
            tops.append(y)
            y -= height
        self._draw_cells(placed, tops, heights, col_w, size, upto=len(rows))
        self.y = y - size * 2

    def _draw_cells(self, placed, tops, heights, col_w, size, upto) -> None:
        c = self.canvas
        c.setLineWidth(0.5)
        for r, col, text, rowspan, colspan in placed:
            if r >= upto or r >= len(tops) or tops[r] is None:
                continue
            last = min(r + rowspan, upto, len(tops)) - 1
            top = tops[r]
            bottom = tops[last] - heights[last]
            x = _MARGIN + col * col_w
            c.rect(x, bottom, col_w * colspan, top - bottom)
            lines = _wrap(text, max(1, int(col_w * colspan / size) - 1))
            c.setFont(_FONT, size)
            text_y = top - size * 1.4
            for line in lines:
                if text_y < bottom:
                    break
                c.drawString(x + 2, text_y, line)
                text_y -= size * 1.3

    def bytes(self) -> bytes:
        self.canvas.setFont(_FONT, 9)
        self.canvas.drawCentredString(_PAGE_W / 2, 25, f"- {self.page} -")
        self.canvas.save()
        return self.buffer.getvalue()


def render_pdf(spec: S.ReportSpec) -> bytes:
    """The report as a PDF with a text layer, ruled tables and page footers ('- 2 -')."""
    pdf = _Pdf(spec.report_title)
    pdf.paragraph(spec.report_title, size=14)
    pdf.paragraph(S.opening(spec))
    for number, (heading, text) in enumerate(S.report_sections(spec), start=1):
        pdf.paragraph(heading, size=12)
        pdf.paragraph(text)
        grid = {2: S.proactive_grid, 3: S.requests_grid, 4: S.appeals_grid}.get(number)
        if grid:
            pdf.table(grid(spec))
    return pdf.bytes()
