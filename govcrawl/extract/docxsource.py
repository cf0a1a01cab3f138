"""DOCX → :class:`Document`: paragraphs as prose, tables as grids with merged cells expanded.

Word stores horizontal merges as ``gridSpan`` and vertical ones as ``vMerge``; the grid
read here gives each merged cell's text once (its first slot) and ``None`` elsewhere,
exactly like an HTML grid.  The XML is parsed with entity expansion and network access
off, and the archive is checked for decompression bombs first.
"""

from __future__ import annotations

from lxml import etree

from govcrawl.extract.document import Document, SourceRow
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.meta import title_lines

MAX_DOCX_BYTES = 64 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False)


def _document_xml(data: bytes, path: str) -> bytes:
    if len(data) > MAX_DOCX_BYTES:
        raise ExtractionError(path, f"DOCX too large ({len(data)} bytes)")
    from govcrawl.extract.sheetsource import check_zip, read_member

    try:
        archive = check_zip(data, path)
        info = archive.getinfo("word/document.xml")
    except KeyError:
        raise ExtractionError(path, "not a readable DOCX (no word/document.xml)") from None
    except ExtractionError as exc:
        if "bad ZIP" in exc.reason:
            raise ExtractionError(path, "not a readable DOCX (no word/document.xml)") from None
        raise
    content = read_member(archive, info, path, MAX_UNCOMPRESSED + 1)
    if len(content) > MAX_UNCOMPRESSED:
        raise ExtractionError(path, "DOCX expands too much (a decompression bomb?)")
    return content


def _text(element) -> str:
    return "".join(element.itertext()).strip()


def _table_rows(table) -> list[SourceRow]:
    """Expand one w:tbl: gridSpan → None slots to the right, vMerge continue → None below."""
    rows: list[SourceRow] = []
    for tr in table.findall(f"{W}tr"):
        cells: list[str | None] = []
        for tc in tr.findall(f"{W}tc"):
            props = tc.find(f"{W}tcPr")
            span = 1
            continued = False
            if props is not None:
                grid_span = props.find(f"{W}gridSpan")
                if grid_span is not None:
                    try:
                        span = max(1, min(64, int(grid_span.get(f"{W}val", "1"))))
                    except ValueError:
                        span = 1
                v_merge = props.find(f"{W}vMerge")
                if v_merge is not None and v_merge.get(f"{W}val", "continue") == "continue":
                    continued = True
            text = "".join(_text(p) for p in tc.findall(f"{W}p"))
            cells.append(None if continued else text)
            cells.extend([None] * (span - 1))
        rows.append(SourceRow(cells, positional=True))
    return rows


def parse_docx(data: bytes, path: str) -> Document:
    content = _document_xml(data, path)
    try:
        root = etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(path, f"corrupt DOCX XML ({exc})") from None
    body = root.find(f"{W}body")
    if body is None:
        raise ExtractionError(path, "DOCX without a body")
    lines: list[str] = []
    rows: list[SourceRow] = []
    for child in body:
        if child.tag == f"{W}p":
            text = _text(child)
            if text:
                lines.append(text)
        elif child.tag == f"{W}tbl":
            rows.extend(_table_rows(child))
    text = "\n".join(lines)
    titles = title_lines(lines[:8])
    media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Document(media, text, rows, titles, {}, [])
