"""Legacy Word (DOC) and Kingsoft WPS files → :class:`Document`.

LibreOffice headless converts them to DOCX, which keeps the tables' merged cells, and
the DOCX reader takes over.  Where LibreOffice is missing or fails, antiword gives the
text (tables flattened to ``|`` rows, which antiword renders poorly for merged cells —
so this is the fallback, not the first choice).  Every converter runs in its own
process group with a timeout and a fresh profile: a hanging converter is killed and
recorded, never waited on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from govcrawl.extract.document import Document
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.meta import title_lines
from govcrawl.extract.subprocesses import run_tool, tool_timeout

MAX_OFFICE_BYTES = 64 * 1024 * 1024


def soffice_to_docx(data: bytes, suffix: str, path: str) -> bytes | None:
    """Convert with LibreOffice headless; None when LibreOffice is not installed."""
    binary = os.environ.get("GOVCRAWL_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")
    if not binary or not Path(binary).exists():
        return None
    with tempfile.TemporaryDirectory(prefix="govcrawl-convert-") as tmp:
        source = Path(tmp) / f"input{suffix}"
        source.write_bytes(data)
        command = [binary, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "docx",
                   "--outdir", tmp, str(source)]
        try:
            result = run_tool(command, tool_timeout(), tmp)
        except subprocess.TimeoutExpired:
            raise ExtractionError(path, f"converter timed out after {tool_timeout():g} s (LibreOffice)") from None
        target = Path(tmp) / "input.docx"
        if result.returncode != 0 or not target.exists():
            return None
        return target.read_bytes()


def antiword_text(data: bytes, path: str) -> str | None:
    binary = shutil.which("antiword")
    if not binary:
        return None
    with tempfile.TemporaryDirectory(prefix="govcrawl-antiword-") as tmp:
        source = Path(tmp) / "input.doc"
        source.write_bytes(data)
        try:
            result = run_tool([binary, "-w", "0", "-m", "UTF-8.txt", str(source)], tool_timeout(), tmp)
        except subprocess.TimeoutExpired:
            raise ExtractionError(path, f"converter timed out after {tool_timeout():g} s (antiword)") from None
        if result.returncode != 0:
            return None
        return result.stdout.decode("utf-8", "replace")


def parse_legacy_word(data: bytes, path: str, suffix: str) -> Document:
    """DOC or WPS: LibreOffice → DOCX first, antiword's text as the fallback."""
    if len(data) > MAX_OFFICE_BYTES:
        raise ExtractionError(path, f"document too large ({len(data)} bytes)")
    from govcrawl.extract.docxsource import parse_docx

    docx = soffice_to_docx(data, suffix, path)
    if docx is not None:
        document = parse_docx(docx, path)
        document.media_type = "application/msword" if suffix == ".doc" else "application/vnd.ms-works"
        return document
    text = antiword_text(data, path) if suffix == ".doc" else None
    if text is None:
        raise ExtractionError(path, f"cannot convert {suffix} (LibreOffice{' or antiword' if suffix == '.doc' else ''} "
                                    "missing or failed)")
    from govcrawl.extract.textsource import text_rows

    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return Document("application/msword", "\n".join(lines), text_rows(text), title_lines(lines[:8]), {},
                    ["read through antiword: merged table cells may be lost"])
