"""Scans: OCR gives metadata and prose figures, flagged; no misread table figure passes."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from govcrawl.demo import samples as S
from govcrawl.demo.attachments import render_pdf
from govcrawl.extract import ocr
from govcrawl.extract.record import extract_bytes

needs_ocr = pytest.mark.skipif(
    not (ocr.available() and shutil.which("pdftoppm")) and not os.environ.get("CI"),
    reason="tesseract chi_sim / pdftoppm not installed (.ci/run installs them; CI fails instead)")


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> tuple[bytes, list[Path], S.ReportSpec]:
    """Our own report, rendered to page images and put back into an image-only PDF."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    spec = S.sample_spec(seed=500, template="2021")
    tmp = tmp_path_factory.mktemp("scan")
    (tmp / "report.pdf").write_bytes(render_pdf(spec))
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(tmp / "report.pdf"), str(tmp / "page")],
                   check=True, capture_output=True, timeout=120)
    pages = sorted(tmp.glob("page-*.png"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    for page in pages:
        pdf.drawImage(ImageReader(str(page)), 0, 0, width=595, height=842)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue(), pages, spec


def _no_misreading(record: dict, spec: S.ReportSpec) -> None:
    truth = {**spec.metrics, "proactive.items_published.total": spec.items_published}
    wrong = {k: (v, truth.get(k)) for k, v in record["metrics"].items() if truth.get(k) != v}
    assert wrong == {}, "no OCR misreading passes"


@needs_ocr
def test_an_image_only_pdf_is_read_by_ocr_and_flagged(scan):
    data, _, spec = scan
    record = extract_bytes(data, "scan.pdf")
    assert (record["title"], record["agency"], record["year"], record["template"]) == (
        spec.report_title, spec.agency, spec.year, "2021")
    assert any(w.startswith("text from OCR") for w in record["warnings"])
    assert record["metrics"].get("requests.new.total") == spec.metrics["requests.new.total"]
    _no_misreading(record, spec)


@needs_ocr
def test_a_scanned_page_image(scan):
    _, pages, spec = scan
    record = extract_bytes(pages[0].read_bytes(), "page-1.png")
    assert record["source"]["media_type"] == "image/png"
    assert (record["agency"], record["year"]) == (spec.agency, spec.year)
    _no_misreading(record, spec)
