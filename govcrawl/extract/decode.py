"""Bytes → text, and what kind of file the bytes are.

Portals serve GBK pages that declare UTF-8, UTF-8 pages that declare GB2312, and pages
that declare nothing.  The bytes decide: a strict UTF-8 decode that succeeds is
UTF-8 whatever the ``<meta>`` says; otherwise the declared charset if it decodes
cleanly, otherwise GB18030 (a superset of GB2312 and GBK).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from govcrawl.extract.errors import ExtractionError

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    declared: str | None
    warnings: tuple[str, ...] = ()


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB, lower-cased, if any."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name


def _normalise_codec(name: str) -> str:
    return "gb18030" if name in _GB_FAMILY or name.startswith("gb") else name


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode report bytes; ``declared`` is an HTTP or meta charset, trusted only if it fits."""
    warnings: list[str] = []
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return Decoded(data.decode(codec, "replace").lstrip("\ufeff"), codec, declared)
    meta = declared or declared_charset(data)
    try:
        text = data.decode("utf-8")
        if meta and _normalise_codec(meta) != "utf-8":
            warnings.append(f"declared charset {meta} contradicts the bytes; decoded as utf-8")
        return Decoded(text, "utf-8", meta, tuple(warnings))
    except UnicodeDecodeError:
        pass
    candidates = []
    if meta:
        candidates.append(_normalise_codec(meta))
    candidates.append("gb18030")
    for codec in candidates:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if meta and codec != _normalise_codec(meta):
            warnings.append(f"declared charset {meta} contradicts the bytes; decoded as {codec}")
        return Decoded(text, codec, meta, tuple(warnings))
    text = data.decode("gb18030", "replace")
    warnings.append("bytes are not valid in any supported encoding; undecodable bytes replaced")
    return Decoded(text, "gb18030", meta, tuple(warnings))


_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])


def looks_binary(data: bytes) -> bool:
    """True for bytes that are no kind of text (NULs, mostly control bytes)."""
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > 0.05


MEDIA_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".shtml": "text/html", ".xhtml": "text/html",
    ".txt": "text/plain", ".text": "text/plain",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".wps": "application/vnd.ms-works",
    ".ofd": "application/ofd",  # the Chinese fixed-layout format: not read yet
}


def sniff_media_type(data: bytes, filename: str = "") -> str:
    """Media type from the leading bytes first, then the file name."""
    head = data[:1024].lstrip()
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        name = filename.lower()
        return MEDIA_TYPES.get(name[name.rfind("."):], MEDIA_TYPES[".docx"])
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        name = filename.lower()
        if name.endswith((".xls", ".et")):
            return MEDIA_TYPES[".xls"]
        return MEDIA_TYPES[".wps"] if name.endswith(".wps") else MEDIA_TYPES[".doc"]
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered \
            or b"<body" in lowered or b"<table" in lowered or b"<meta" in lowered:
        return "text/html"
    name = filename.lower()
    dot = name.rfind(".")
    if dot >= 0 and name[dot:] in MEDIA_TYPES:
        return MEDIA_TYPES[name[dot:]]
    return "text/plain"


def require_text(data: bytes, path: str) -> None:
    """Refuse bytes that cannot be a report: empty or binary."""
    if not data.strip():
        raise ExtractionError(path, "empty file")
    if looks_binary(data):
        raise ExtractionError(path, "binary data, not a report text or page")
