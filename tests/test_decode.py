"""Bytes → text: the bytes decide, not what a page declares."""

from __future__ import annotations

import pytest

from govcrawl.extract.decode import (
    declared_charset,
    decode_bytes,
    looks_binary,
    require_text,
    sniff_media_type,
)
from govcrawl.extract.errors import ExtractionError

TEXT = "郑州市中原区政务服务办公室2020年政府信息公开工作年度报告"


def page(body: str, meta: str | None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}</head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(("encoding", "meta", "expected_codec", "warns"), [
    ("utf-8", "utf-8", "utf-8", False),
    ("utf-8", None, "utf-8", False),
    ("gbk", "gbk", "gb18030", False),
    ("gbk", "gb2312", "gb18030", False),
    ("gbk", None, "gb18030", False),
    ("gbk", "utf-8", "gb18030", True),
    ("utf-8", "gbk", "utf-8", True),
    ("gb18030", "gb18030", "gb18030", False),
])
def test_decoding(encoding, meta, expected_codec, warns):
    data = page(TEXT, meta).encode(encoding)
    decoded = decode_bytes(data)
    assert TEXT in decoded.text
    assert decoded.encoding == expected_codec
    assert bool(decoded.warnings) == warns


def test_bom_wins():
    decoded = decode_bytes("\ufeff".encode() + TEXT.encode("utf-8"))
    assert decoded.text == TEXT


def test_undecodable_bytes_are_replaced_with_a_warning():
    decoded = decode_bytes(TEXT.encode("gbk") + b"\x81\xff\xfe")
    assert decoded.text.startswith(TEXT)
    assert decoded.warnings


def test_declared_charset():
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">') \
        == "gb2312"
    assert declared_charset(b"<html>") is None


@pytest.mark.parametrize(("data", "name", "media_type"), [
    (b"%PDF-1.7 ...", "x.bin", "application/pdf"),
    (b"PK\x03\x04...", "r.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"<!DOCTYPE html><html>", "r.txt", "text/html"),
    ("一、总体情况".encode(), "r.txt", "text/plain"),
    ("一、总体情况".encode(), "r.shtml", "text/html"),
])
def test_sniff_media_type(data, name, media_type):
    assert sniff_media_type(data, name) == media_type


def test_empty_and_binary_are_refused():
    with pytest.raises(ExtractionError, match="empty"):
        require_text(b"  \n", "a.html")
    with pytest.raises(ExtractionError, match="binary"):
        require_text(bytes(range(256)) * 10, "a.html")
    assert looks_binary(b"\x00\x01\x02abc")
    assert not looks_binary(TEXT.encode("gbk"))


@pytest.mark.parametrize("damage", [b"\xff", b"\xe4\xb8", b"\x80\x80\x80", b"\xc3"])
def test_a_utf8_page_with_a_few_bad_bytes_stays_utf8_with_a_count(damage):
    body = page(TEXT * 40, "utf-8").encode("utf-8")
    middle = len(body) // 2
    decoded = decode_bytes(body[:middle] + damage + body[middle:])
    assert decoded.encoding == "utf-8"
    assert decoded.text.count(TEXT) >= 39
    assert any("undecodable byte" in w and "utf-8" in w for w in decoded.warnings), decoded.warnings


def test_a_gbk_page_with_a_bad_byte_stays_gbk_with_a_count():
    body = page(TEXT * 40, "gbk").encode("gbk")
    decoded = decode_bytes(body[:200] + b"\xff" + body[200:])
    assert decoded.encoding == "gb18030" and decoded.text.count(TEXT) >= 39
    assert any("1 undecodable byte replaced" in w for w in decoded.warnings), decoded.warnings


@pytest.mark.shared
def test_real_pages_with_one_byte_changed_are_still_read():
    """One random byte changed in a real page (a damaged download): never refused, and the
    charset stays the page's own."""
    import random

    from govcrawl.extract.record import extract_bytes

    from conftest import shared_path

    rng = random.Random(7)
    pages = sorted(shared_path("corpus", "pingtan").glob("*/page.html"))
    for path in pages:
        data = path.read_bytes()
        for _ in range(30):
            damaged = bytearray(data)
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            record = extract_bytes(bytes(damaged), path.name)
            assert record["year"] and record["agency"]
            assert not any("contradicts the bytes" in w for w in record["warnings"]), record["warnings"]
