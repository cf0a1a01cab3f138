"""A report's tables as an XLSX workbook with the template's merged cells (fixtures, demo)."""

from __future__ import annotations

import io

from govcrawl.demo import samples as S
from govcrawl.demo.attachments import _stable_zip, place


def render_xlsx(spec: S.ReportSpec) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "年报"
    sheet.cell(row=1, column=1, value=spec.report_title)
    sheet.cell(row=2, column=1, value=S.opening(spec))
    top = 4
    for grid in (S.proactive_grid(spec), S.requests_grid(spec), S.appeals_grid(spec)):
        for r, c, text, rowspan, colspan in place(grid):
            sheet.cell(row=top + r, column=1 + c, value=text)
            if rowspan > 1 or colspan > 1:
                sheet.merge_cells(start_row=top + r, start_column=1 + c,
                                  end_row=top + r + rowspan - 1, end_column=c + colspan)
        top += len(grid) + 1
    import datetime as dt

    fixed = dt.datetime(2020, 1, 1)  # same report, same bytes
    book.properties.created = book.properties.modified = fixed
    buffer = io.BytesIO()
    book.save(buffer)
    return _stable_zip(_fixed_modified(buffer.getvalue()))


def _fixed_modified(data: bytes) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml; use a fixed one."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2020-01-01T00:00:00Z", content)
            target.writestr(info.filename, content)
    return out.getvalue()
