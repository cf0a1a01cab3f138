"""PDF (with a text layer) → :class:`Document`: ruled tables as grids, the text as prose.

pdfplumber reads each page's ruled tables into rows whose merged cells are ``None`` —
the same positional rows an HTML grid gives, so the one table interpreter reads them.
Tables that continue on the next page simply continue the row stream.
"""

from __future__ import annotations

import logging
import re

from govcrawl.extract.document import Document, SourceRow
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.meta import title_lines
from govcrawl.extract.normalize import squeeze
from govcrawl.extract.textsource import is_footer, text_rows

# pdfminer logs a warning per oddity of a damaged file (one per glyph, at times): the
# outcome is the page's record or its reason, not a log line per font.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

MAX_PDF_BYTES = 64 * 1024 * 1024
MAX_PAGES = 300
MIN_TEXT_CHARS = 40  # less text than this on every page: a scan


_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|\d+[.．、])")
_SENTENCE_END = ("。", "！", "？", "：", "；", ":", "）")


def unwrap(lines: list[str]) -> str:
    """Join lines that the page width broke ('…联系（地址：淮' + '安市…'); keep paragraph ends."""
    widths = sorted(len(line) for line in lines if line)
    full = widths[int(len(widths) * 0.9)] if widths else 0
    out: list[str] = []
    for line in lines:
        if out and out[-1] and len(out[-1]) >= 0.8 * full and not out[-1].endswith(_SENTENCE_END) \
                and not _HEADING_START.match(line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def _clean(cell: str | None) -> str | None:
    """Cell text with PDF line breaks removed: '商业\\n企业' → '商业企业', '三\\n、\\n本' → '三、本'."""
    if cell is None:
        return None
    lines = [line.strip() for line in cell.split("\n") if line.strip() and not is_footer(line)]
    return squeeze(" ".join(lines)).replace(" ", "") if lines else ""


def parse_pdf(data: bytes, path: str) -> Document:
    if len(data) > MAX_PDF_BYTES:
        raise ExtractionError(path, f"PDF too large ({len(data)} bytes > {MAX_PDF_BYTES})")
    import io

    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ExtractionError(path, "encrypted PDF (password protected)") from None
    except PDFSyntaxError as exc:
        raise ExtractionError(path, f"corrupt PDF ({exc})") from None
    except Exception as exc:  # pdfminer raises many kinds on broken files
        raise ExtractionError(path, f"unreadable PDF ({type(exc).__name__}: {exc})") from None
    if len(pages) > MAX_PAGES:
        raise ExtractionError(path, f"PDF has {len(pages)} pages (more than {MAX_PAGES})")
    rows: list[SourceRow] = []
    texts: list[str] = []
    warnings: list[str] = []
    try:
        for page in pages:
            page_text = page.extract_text() or ""
            texts.extend(squeeze(line).strip() for line in page_text.split("\n")
                         if line.strip() and not is_footer(line))
            for table in page.find_tables():
                for raw in table.extract():
                    cells = [_clean(c) for c in raw]
                    if any(c for c in cells):
                        rows.append(SourceRow(cells, positional=True))
            page.flush_cache()
    except Exception as exc:
        raise ExtractionError(path, f"unreadable PDF page ({type(exc).__name__}: {exc})") from None
    finally:
        pdf.close()
    text = unwrap(texts)
    if len(re.sub(r"\s", "", text)) < MIN_TEXT_CHARS:
        from govcrawl.extract import ocr

        if ocr.available():
            return ocr.ocr_pdf(data, path)
        raise ExtractionError(path, "image-only PDF (no text layer; OCR needed)")
    if not any(len([c for c in r.cells if c]) >= 3 for r in rows):
        # No ruled tables: read the tables from the text lines, by position.
        rows = text_rows(text)
        warnings.append("no ruled tables in the PDF; tables read from its text lines")
    return Document("application/pdf", text, rows, title_lines(texts[:12]), {}, warnings)


