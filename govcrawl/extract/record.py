"""Bytes of a report in, the report record of report-schema.md out.

Pure: no network, no clock, no database.  The crawl pipeline, ``govcrawl extract`` and
``govcrawl reextract`` all call :func:`extract_bytes`.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from govcrawl.extract import keys as K
from govcrawl.extract import meta as M
from govcrawl.extract.checks import run_checks
from govcrawl.extract.decode import carries_markup, require_text, sniff_media_type
from govcrawl.extract.document import Document, SourceRow
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.htmlsource import parse_html
from govcrawl.extract.normalize import strip_glosses, to_simplified, traditional_share
from govcrawl.extract.prose import prose_cells
from govcrawl.extract.sections import sections as find_sections
from govcrawl.extract.tables import Cell, interpret, template_votes
from govcrawl.extract.textsource import has_flattened_table, parse_text, text_rows

MAX_TEXT_BYTES = 8 * 1024 * 1024


def _with_text_tables(document: Document) -> Document:
    """A page whose markup holds no table may hold one flattened into its paragraphs (a cell
    or a row each, or Markdown pipes): read them as text tables."""
    if not document.rows and has_flattened_table(document.text):
        document.rows = text_rows(document.text)
    return document


def load_document(data: bytes, path: str, media_type: str | None = None,
                  declared_charset: str | None = None) -> Document:
    """Route bytes to the reader for their format."""
    media_type = media_type or sniff_media_type(data, path)
    if media_type == "text/html":
        require_text(data, path)
        return _with_text_tables(parse_html(data, path, declared_charset))
    if media_type == "text/plain":
        require_text(data, path)
        if len(data) > MAX_TEXT_BYTES:
            raise ExtractionError(path, f"text too large ({len(data)} bytes)")
        if carries_markup(data):
            # A page saved as text keeps its markup (<p> paragraphs, <table>s), and some
            # PDF-to-Markdown tools write tables as HTML: read as the page it is.
            document = _with_text_tables(parse_html(data, path, declared_charset))
            document.media_type = "text/plain"
            return document
        return parse_text(data, path)
    if media_type == "application/pdf":
        from govcrawl.extract.pdfsource import parse_pdf

        return parse_pdf(data, path)
    if media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        from govcrawl.extract.docxsource import parse_docx

        return parse_docx(data, path)
    if media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        from govcrawl.extract.sheetsource import parse_xlsx

        return parse_xlsx(data, path)
    if media_type in ("application/msword", "application/vnd.ms-works"):
        from govcrawl.extract.officesource import parse_legacy_word

        return parse_legacy_word(data, path, ".doc" if media_type == "application/msword" else ".wps")
    if media_type == "application/vnd.ms-excel":
        from govcrawl.extract.sheetsource import parse_xls

        return parse_xls(data, path)
    if media_type.startswith("image/"):
        from govcrawl.extract import ocr

        if ocr.available():
            return ocr.ocr_image(data, path, media_type)
        raise ExtractionError(path, f"unsupported format {media_type} (a scan: OCR is not available)")
    raise ExtractionError(path, f"unsupported format {media_type}")


def template_for(votes: dict[str, int], year: int | None) -> str | None:
    """Labels first; the year only where the labels do not tell."""
    if votes[K.T2019] or votes[K.T2021]:
        if votes[K.T2021] > votes[K.T2019]:
            return K.T2021
        if votes[K.T2019] > votes[K.T2021]:
            return K.T2019
    return template_from_year(year)


def template_from_year(year: int | None) -> str | None:
    if year is None:
        return None
    if year <= 2018:
        return "legacy"
    return K.T2019 if year <= 2020 else K.T2021


def _looks_like_report(doc: Document, title: str | None, cells: list[Cell],
                       section_count: int, period_stated: bool) -> bool:
    """A report has tables, sections or a stated period — or a title and its own voice.

    A listing page full of report titles has none of these.
    """
    if cells or section_count >= 2 or period_stated:
        return True
    head = doc.text[:4000]
    own_voice = re.search(r"本(?:年度)?报告|本年报|现(?:将|予|向社会)?(?:公布|发布)|特向社会公布"
                          r"|现将.{0,30}?(?:报告|年报)", head)
    titled = bool(title and re.search(r"报告|年报", title))
    # A listing names reports of several years; a report (or its attachment stub) one.
    listed_years = {match.group(1) for line in doc.text.split("\n") if len(line) < 80
                    for match in [re.search(r"(\d{4})\s*年.{0,30}(?:报告|年报)", line)] if match}
    listing = len(listed_years) >= 3
    # A report cut to its opening: it starts at its first section, whose first sentence
    # speaks of the year's disclosure work ('2024年，…严格对照《条例》…').
    # (Its first sentence may open on a sub-heading, '(一)主动公开', or on the year's politics
    # before it names the work: the disclosure vocabulary anywhere in the opening will do.)
    opening = (re.search(r"^\s*一\s*[、.．,，]\s*(?:总体情况|概述|基本情况|工作概述)", head[:400], re.M)
               and re.search(r"《条例》|政府信息公开|政务公开|政务信息|主动公开|依申请公开", head[:1500])
               and re.search(r"(?:19|20)\d{2}\s*年", head[:1500]))
    return bool((titled and not listing) or (own_voice and section_count) or (opening and not listing))


def extract_bytes(data: bytes, path: str = "<bytes>", media_type: str | None = None,
                  declared_charset: str | None = None) -> dict[str, Any]:
    """The report record for one file's bytes; raises ExtractionError for non-reports."""
    doc = load_document(data, path, media_type, declared_charset)
    return build_record(doc, data, path)


def read_as_simplified(doc: Document) -> None:
    """A mirror's copy (traditional characters, pinyin glosses in its labels) is read as the
    report it copies: names, addresses and labels come out as the agency wrote them."""
    glossed = strip_glosses(doc.text) != doc.text
    if traditional_share(doc.text) < 0.03 and not glossed:
        return

    def plain(text: str) -> str:
        return to_simplified(strip_glosses(text))

    doc.text = plain(doc.text)
    doc.rows = [SourceRow([None if c is None else plain(c) for c in row.cells], row.positional)
                for row in doc.rows]
    doc.title_candidates = [plain(t) for t in doc.title_candidates]
    doc.page_meta = {k: plain(v) for k, v in doc.page_meta.items()}
    doc.warnings.append("text in traditional characters or glossed with pinyin (a mirror's copy?): "
                        "read converted to simplified")


def build_record(doc: Document, data: bytes, path: str) -> dict[str, Any]:
    """Assemble the record from a reduced document (any source format)."""
    read_as_simplified(doc)
    title = M.pick_title(doc.title_candidates)
    year = M.year_from_title(title) or M.year_from_text(
        (title or "") + "\n" + doc.text)
    votes = template_votes(doc.rows)
    template = template_for(votes, year)
    table = interpret(doc.rows, template or K.T2021)
    warnings = list(doc.warnings) + table.warnings
    if M.wrapped_title(title, doc.title_candidates):
        warnings.append(f"title read from lines wrapped in the document: {title}")
    section_list = find_sections(doc.text)
    period_start, period_end = M.period(doc.text)
    if not _looks_like_report(doc, title, table.cells, len(section_list), bool(period_start)):
        raise ExtractionError(path, "not an annual report (no report tables, sections or period)")

    if template == "legacy" and not any(c.key for c in table.cells):
        table.cells = _legacy_cells(doc)

    if year is None and period_start:
        year = int(period_start[:4])
        template = template or template_from_year(year)
    contact = M.contact(doc.text)
    agency = (M.agency_from_title(title) or M.agency_from_text(doc.text)
              or M.agency_from_contact(contact.agency))
    if agency:
        agency = M.qualify_agency(agency, doc.text)

    cells = table.cells
    metrics: dict[str, Any] = {}
    table_keys: set[str] = set()
    for cell in cells:
        if cell.key and cell.value is not None and cell.table != "legacy":
            metrics.setdefault(cell.key, cell.value)
            table_keys.add(cell.key)
    if any(w.startswith("text from OCR") for w in doc.warnings):
        _keep_checked_tables(metrics, table_keys, template, warnings)
    tables_read = {key.split(".")[0] for key in table_keys}
    for cell in prose_cells(doc.text):
        # Prose stands in only for a table the report does not give (schema §2).
        if cell.table not in tables_read and cell.key not in metrics:
            metrics[cell.key] = cell.value
            cells.append(cell)
    checks = run_checks(metrics, template, table_keys)
    record = {
        "source": {"path": path, "media_type": doc.media_type,
                   "sha256": hashlib.sha256(data).hexdigest()},
        "title": title,
        "agency": agency,
        "year": year,
        "template": template,
        "period_start": period_start,
        "period_end": period_end,
        "published": M.published(doc.text, doc.page_meta),
        "contact": contact.as_dict(),
        "sections": section_list,
        "metrics": metrics,
        "cells": [c.as_dict() for c in cells],
        "checks": checks,
        "warnings": warnings,
    }
    return record


def _keep_checked_tables(metrics: dict[str, Any], table_keys: set[str], template: str | None,
                         warnings: list[str]) -> None:
    """OCR'd tables count only where every check of the table passes; the rest is dropped."""
    verdict: dict[str, set[str]] = {}
    for check in run_checks(metrics, template, table_keys):
        verdict.setdefault(check["rule"].split(".")[0], set()).add(check["status"])
    for table in ("proactive", "requests", "appeals"):
        keys = [k for k in table_keys if k.startswith(table + ".")]
        if keys and verdict.get(table) != {"pass"}:
            for key in keys:
                metrics.pop(key, None)
                table_keys.discard(key)
            warnings.append(f"OCR: {table} figures dropped (their checks do not all pass)")


def _legacy_cells(doc: Document) -> list[Cell]:
    """A legacy report's local statistics table: label, (unit,) figure per row."""
    from govcrawl.extract.normalize import parse_value

    out: list[Cell] = []
    for row in doc.rows:
        texts = [c for c in row.cells if c is not None and c.strip()]
        if len(texts) < 2:
            continue
        label = texts[0]
        value = parse_value(texts[-1])
        if value.number is None or parse_value(label).number is not None or len(label) > 60:
            continue
        out.append(Cell("legacy", None, None, value.number, value.raw, label))
    return out
