"""PDF and DOCX reports: generated fixtures, the real peer files, and bad input."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from govcrawl.demo import samples as S
from govcrawl.demo.attachments import render_docx, render_pdf
from govcrawl.extract import keys as K
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.record import extract_bytes

from conftest import run_cli, shared_path

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("render", [render_pdf, render_docx], ids=["pdf", "docx"])
def test_generated_attachments_extract_exactly(template, render):
    spec = S.sample_spec(seed=300, template=template, quirks=frozenset({"half_width"}))
    record = extract_bytes(render(spec), f"report.{render.__name__[-4:]}")
    expected = S.expected(spec)
    for field in ("agency", "year", "template", "period_start", "period_end", "contact"):
        assert record[field] == expected[field], field
    assert record["metrics"] == expected["metrics"]
    assert all(c["status"] == "pass" for c in record["checks"])


def _peer_cases():
    try:
        path = shared_path("peer-fixtures", "truth.jsonl")
    except pytest.skip.Exception:
        return [None]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("truth", _peer_cases(), ids=lambda t: t and t["file"].rsplit("/", 1)[-1])
def test_real_pdf_reports(truth):
    if truth is None:
        pytest.skip("shared material not available: peer-fixtures")
    pdf = shared_path("peer-fixtures", *truth["file"].split("/"))
    record = extract_bytes(pdf.read_bytes(), pdf.name)
    for field in ("agency", "year", "template", "period_start", "period_end"):
        assert record[field] == truth[field], field
    for field in ("address", "postcode", "phone", "email"):
        assert record["contact"][field] == truth[field], field
    wrong = {k: (v, record["metrics"].get(k)) for k, v in truth["metrics"].items()
             if record["metrics"].get(k) != v}
    assert wrong == {}
    failing = sorted({c["rule"] for c in record["checks"] if c["status"] == "fail"})
    assert failing == sorted(truth.get("failing_checks") or [])


def test_blank_docx_template_gives_the_full_skeleton_with_empty_values():
    template = shared_path("peer-fixtures", "govnianbao", "政务公开年报模版.docx")
    record = extract_bytes(template.read_bytes(), template.name)
    assert record["template"] == "2021" and record["metrics"] == {}
    keys = {f"{c['table']}.{c['row']}.{c['col']}" for c in record["cells"] if c["value"] is None}
    expected = {k.key for k in K.all_keys() if "2021" in k.templates and not k.prose_only
                and k.row != "other"}
    assert keys == expected


# --- bad input ----------------------------------------------------------------------------

def _pdf_bytes() -> bytes:
    return render_pdf(S.sample_spec(seed=301, template="2021"))


def test_encrypted_pdf():
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "2023 report")
    c.save()
    with pytest.raises(ExtractionError, match=r"encrypted|unreadable"):
        extract_bytes(buffer.getvalue(), "locked.pdf")


def test_truncated_pdf_gives_what_is_readable_or_a_clear_error():
    data = _pdf_bytes()
    try:
        record = extract_bytes(data[: len(data) // 2], "cut.pdf")
    except ExtractionError as exc:
        assert exc.reason
    else:
        assert record["source"]["media_type"] == "application/pdf"


def test_corrupt_pdf():
    with pytest.raises(ExtractionError):
        extract_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40, "corrupt.pdf")


def test_image_only_pdf_is_recorded_as_such():
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, invariant=1)
    c.rect(50, 50, 400, 600, fill=1)
    c.save()
    from govcrawl.extract import ocr

    # Without OCR it is refused as image-only; with OCR, a black page reads as no report.
    expected = "not an annual report" if ocr.available() else "image-only"
    with pytest.raises(ExtractionError, match=expected):
        extract_bytes(buffer.getvalue(), "scan.pdf")


def _docx_with(document_xml: bytes, compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def test_docx_zip_bomb_is_refused():
    bomb = b"<w:document>" + b" " * (20 * 1024 * 1024) + b"</w:document>"  # ratio ~1000
    with pytest.raises(ExtractionError, match=r"bomb|expands"):
        extract_bytes(_docx_with(bomb), "bomb.docx", DOCX)


def test_docx_entity_expansion_is_not_performed():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY e "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
              b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              b"<w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>")
    with pytest.raises(ExtractionError):
        extract_bytes(_docx_with(laughs), "laughs.docx", DOCX)


def test_not_a_docx_at_all():
    with pytest.raises(ExtractionError, match="not a readable DOCX"):
        extract_bytes(b"PK\x03\x04" + b"\x00" * 200, "broken.docx", DOCX)


def test_a_200_megabyte_file_is_refused_unread(tmp_path):
    big = tmp_path / "huge.pdf"
    with big.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.seek(200 * 1024 * 1024)
        handle.write(b"%%EOF\n")
    result = run_cli("extract", str(big), "--json", timeout=60)
    assert result.returncode == 2
    assert "too large" in result.stderr and "Traceback" not in result.stderr


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_generated_xlsx_extracts_exactly(template):
    from govcrawl.demo.sheets import render_xlsx

    spec = S.sample_spec(seed=302, template=template)
    data = render_xlsx(spec)
    assert data == render_xlsx(spec), "same report, same bytes"
    record = extract_bytes(data, "report.xlsx")
    assert record["source"]["media_type"] == XLSX
    assert (record["agency"], record["year"], record["template"]) == (spec.agency, spec.year, template)
    assert record["metrics"] == S.expected(spec)["metrics"]


def test_xlsx_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook>" + b" " * (20 * 1024 * 1024) + b"</workbook>")
    with pytest.raises(ExtractionError, match=r"bomb|expands"):
        extract_bytes(buffer.getvalue(), "bomb.xlsx")


def test_xlsx_entity_expansion_is_refused():
    from govcrawl.demo.sheets import render_xlsx

    data = render_xlsx(S.sample_spec(seed=303, template="2021"))
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    dtd = b'<!DOCTYPE x [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = dtd + content
            target.writestr(info.filename, content)
    with pytest.raises(ExtractionError, match="entity tricks refused"):
        extract_bytes(buffer.getvalue(), "evil.xlsx")


def test_corrupt_xls_is_a_clear_error():
    with pytest.raises(ExtractionError, match="unreadable XLS"):
        extract_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "broken.xls")
