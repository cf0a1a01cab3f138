"""Scans (image-only PDFs, PNG/JPEG) → text by OCR, when tesseract with chi_sim is installed.

OCR text is low-confidence: the record says so in its warnings, its metadata and prose
figures are kept, and figures read from OCR'd tables count only where their table passes
the checks (record.py applies that rule).  pdftoppm renders PDF pages; both tools run
in their own process group with a timeout.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from govcrawl.extract.document import Document
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.meta import title_lines
from govcrawl.extract.normalize import squeeze
from govcrawl.extract.subprocesses import run_tool, tool_timeout

OCR_WARNING = "text from OCR (low confidence): table figures kept only where their table passes the checks"
MAX_OCR_PAGES = 30


def available() -> bool:
    """tesseract with the simplified-Chinese model on this machine?"""
    binary = shutil.which("tesseract")
    if not binary:
        return False
    try:
        result = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "chi_sim" in result.stdout.split()


def _tesseract(image: Path, path: str, tmp: str) -> str:
    try:
        result = run_tool(["tesseract", str(image), "-", "-l", "chi_sim", "--psm", "6"], tool_timeout(), tmp)
    except subprocess.TimeoutExpired:
        raise ExtractionError(path, f"OCR timed out after {tool_timeout():g} s") from None
    if result.returncode != 0:
        raise ExtractionError(path, "OCR failed (tesseract)")
    return result.stdout.decode("utf-8", "replace")


def _document(text: str, media_type: str) -> Document:
    from govcrawl.extract.textsource import text_rows

    lines = [squeeze(line).strip() for line in text.split("\n") if line.strip()]
    joined = "\n".join(lines)
    return Document(media_type, joined, text_rows(joined), title_lines(lines[:8]), {}, [OCR_WARNING])


def ocr_pdf(data: bytes, path: str) -> Document:
    if not shutil.which("pdftoppm"):
        raise ExtractionError(path, "image-only PDF (no text layer) and no pdftoppm for OCR")
    with tempfile.TemporaryDirectory(prefix="govcrawl-ocr-") as tmp:
        source = Path(tmp) / "input.pdf"
        source.write_bytes(data)
        try:
            result = run_tool(["pdftoppm", "-r", "200", "-png", "-l", str(MAX_OCR_PAGES), str(source),
                           f"{tmp}/page"], tool_timeout(), tmp)
        except subprocess.TimeoutExpired:
            raise ExtractionError(path, f"PDF rendering timed out after {tool_timeout():g} s") from None
        pages = sorted(Path(tmp).glob("page-*.png"))
        if result.returncode != 0 or not pages:
            raise ExtractionError(path, "image-only PDF that could not be rendered for OCR")
        text = "\n".join(_tesseract(page, path, tmp) for page in pages)
    return _document(text, "application/pdf")


def ocr_image(data: bytes, path: str, media_type: str) -> Document:
    suffix = ".png" if media_type == "image/png" else ".jpg"
    with tempfile.TemporaryDirectory(prefix="govcrawl-ocr-") as tmp:
        image = Path(tmp) / f"input{suffix}"
        image.write_bytes(data)
        return _document(_tesseract(image, path, tmp), media_type)
