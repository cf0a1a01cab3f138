"""Legacy Word (DOC) and WPS through LibreOffice headless, antiword as the fallback, timeouts."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from govcrawl.demo import samples as S
from govcrawl.demo.attachments import render_docx
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.record import extract_bytes

SOFFICE = shutil.which("soffice")
needs_office = pytest.mark.skipif(
    not SOFFICE and not os.environ.get("CI"),
    reason="LibreOffice not installed (.ci/run installs it; CI fails instead of skipping)")


@pytest.fixture(scope="module")
def doc_bytes(tmp_path_factory) -> tuple[bytes, S.ReportSpec]:
    """A DOC generated from our own DOCX by LibreOffice (the project's own fixture)."""
    assert SOFFICE, "LibreOffice (soffice) is required"
    spec = S.sample_spec(seed=404, template="2021", quirks=frozenset({"half_width"}))
    tmp = tmp_path_factory.mktemp("doc")
    (tmp / "report.docx").write_bytes(render_docx(spec))
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/p",
                    "--convert-to", "doc", "--outdir", str(tmp), str(tmp / "report.docx")],
                   check=True, capture_output=True, timeout=180)
    return (tmp / "report.doc").read_bytes(), spec


@needs_office
@pytest.mark.parametrize("name", ["report.doc", "report.wps"])
def test_doc_and_wps_extract_exactly(doc_bytes, name):
    data, spec = doc_bytes
    assert data.startswith(b"\xd0\xcf\x11\xe0"), "a real Word 97 file"
    record = extract_bytes(data, name)
    expected = S.expected(spec)
    for field in ("agency", "year", "template", "period_start", "period_end", "contact"):
        assert record[field] == expected[field], field
    assert record["metrics"] == expected["metrics"]


@needs_office
def test_antiword_is_the_fallback_when_libreoffice_is_missing(doc_bytes, monkeypatch):
    data, spec = doc_bytes
    monkeypatch.setenv("GOVCRAWL_SOFFICE", "/nonexistent/soffice")
    if not shutil.which("antiword"):
        with pytest.raises(ExtractionError, match="cannot convert"):
            extract_bytes(data, "report.doc")
        return
    record = extract_bytes(data, "report.doc")
    assert (record["agency"], record["year"]) == (spec.agency, spec.year)
    assert any("antiword" in w for w in record["warnings"])


def test_a_converter_that_hangs_is_killed_and_recorded(tmp_path, monkeypatch):
    hang = tmp_path / "soffice"
    hang.write_text("#!/bin/sh\nsleep 60\n")
    hang.chmod(0o755)
    monkeypatch.setenv("GOVCRAWL_SOFFICE", str(hang))
    monkeypatch.setenv("GOVCRAWL_CONVERT_TIMEOUT", "2")
    start = time.perf_counter()
    with pytest.raises(ExtractionError, match="timed out"):
        extract_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000, "stuck.wps")
    assert time.perf_counter() - start < 15
    time.sleep(0.2)
    alive = [p for p in Path("/proc").glob("[0-9]*/cmdline")
             if str(hang).encode() in _read(p)]
    assert alive == [], "the converter's process group was killed"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_an_unconvertible_file_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("GOVCRAWL_SOFFICE", "/nonexistent/soffice")
    with pytest.raises(ExtractionError, match="cannot convert"):
        extract_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000, "broken.wps")
