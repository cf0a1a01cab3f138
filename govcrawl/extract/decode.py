"""Bytes → text, and what kind of file the bytes are.

Portals serve GBK pages that declare UTF-8, UTF-8 pages that declare GB2312, and pages
that declare nothing.  The bytes decide: a strict UTF-8 decode that succeeds is
UTF-8 whatever the ``<meta>`` says; otherwise the declared charset if it decodes
cleanly, otherwise GB18030 (a superset of GB2312 and GBK).
"""

from __future__ import annotations

import codecs
import re
import threading
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


# A UTF-8 page keeps being UTF-8 with a few bad bytes (a truncated download, a corrupted
# character): GBK text read as UTF-8 is invalid at most of its non-ASCII bytes, UTF-8
# with damage at a handful.  Up to this share of damaged non-ASCII bytes, it is UTF-8.
UTF8_DAMAGE_SHARE = 0.01


_COUNTED = threading.local()


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _COUNTED.bad += error.end - error.start
    return "\ufffd", error.end


codecs.register_error("govcrawl-count", _count_and_replace)


def _errors(data: bytes, codec: str) -> tuple[str, int]:
    """The text decoded with replacement, and how many bytes could not be decoded."""
    _COUNTED.bad = 0
    text = data.decode(codec, "govcrawl-count")
    return text, _COUNTED.bad


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode report bytes; ``declared`` is an HTTP or meta charset, trusted only if it fits.

    The charset is the one under which the most bytes are valid: a strict UTF-8 decode
    that succeeds is UTF-8 whatever the page declares; a page whose non-ASCII bytes are
    almost all valid UTF-8 is UTF-8 with a few bad bytes; otherwise the declared charset
    or GB18030 (a superset of GB2312 and GBK), whichever leaves fewer bytes undecodable.
    Undecodable bytes are replaced and counted in a warning.
    """
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
    non_ascii = len(data) - len(data.translate(None, bytes(range(128))))
    text, bad = _errors(data, "utf-8")
    best = ("utf-8", text, bad)
    if bad > UTF8_DAMAGE_SHARE * non_ascii:
        best = None  # not UTF-8: its non-ASCII bytes do not read as UTF-8
        for codec in dict.fromkeys([_normalise_codec(meta)] if meta else []) | {"gb18030": None}:
            try:
                text, bad = _errors(data, codec)
            except LookupError:
                continue
            if best is None or bad < best[2]:
                best = (codec, text, bad)
    assert best is not None
    codec, text, bad = best
    if meta and codec != _normalise_codec(meta):
        warnings.append(f"declared charset {meta} contradicts the bytes; decoded as {codec}")
    if bad:
        warnings.append(f"{bad} undecodable byte{'s' if bad > 1 else ''} replaced (decoded as {codec})")
    return Decoded(text, codec, meta, tuple(warnings))


_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])


def looks_binary(data: bytes) -> bool:
    """True for bytes that are no kind of text (NULs, mostly control bytes)."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.count(b"\x00") > max(2, len(sample) // 100):  # a stray NUL in a page is damage, not binary
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


_BLOCK_TAG = re.compile(rb"<(?:p|div|table|tr|td|th|br|li|h[1-6]|span|strong)\b[^>]{0,400}>", re.IGNORECASE)


def carries_markup(data: bytes) -> bool:
    """Is this 'text' a page's markup (a .txt of <p> paragraphs, tables as <table>)?"""
    head = data[:262144]
    return b"<table" in head.lower() or len(_BLOCK_TAG.findall(head)) >= 5


def require_text(data: bytes, path: str) -> None:
    """Refuse bytes that cannot be a report: empty or binary."""
    if not data.strip():
        raise ExtractionError(path, "empty file")
    if looks_binary(data):
        raise ExtractionError(path, "binary data, not a report text or page")
