"""Cell values and label normalisation."""

from __future__ import annotations

import pytest

from govcrawl.extract.normalize import (
    Value,
    chinese_number,
    chinese_year,
    convert_money,
    label_key,
    parse_value,
)


@pytest.mark.parametrize(("raw", "number", "blank", "unit"), [
    ("0", 0, False, None),
    ("12", 12, False, None),
    ("１２", 12, False, None),
    ("+12", 12, False, None),
    ("-3", -3, False, None),
    ("－3", -3, False, None),
    ("1,234", 1234, False, None),
    ("2,648,001", 2648001, False, None),
    ("282.1", 282.1, False, None),
    ("", None, True, None),
    ("  ", None, True, None),
    ("/", 0, False, None),
    ("／", 0, False, None),
    ("—", 0, False, None),
    ("-", 0, False, None),
    ("无", 0, False, None),
    ("12个", 12, False, "个"),
    ("3400652.76(元)", 3400652.76, False, "元"),
    ("3400652.76（元）", 3400652.76, False, "元"),
    ("251000元", 251000, False, "元"),
    ("25.1万元", 25.1, False, "万元"),
    ("见附件", None, False, None),
])
def test_parse_value(raw, number, blank, unit):
    value = parse_value(raw)
    assert (value.number, value.blank, value.unit) == (number, blank, unit)
    assert value.raw == raw.strip()


@pytest.mark.parametrize(("raw", "target", "expected"), [
    ("251000元", "yuan", 251000),
    ("25.1万元", "yuan", 251000.0),
    ("3400652.76", "yuan", 3400652.76),
    ("282.1", "10k_yuan", 282.1),
    ("2821000元", "10k_yuan", 282.1),
    ("0", "10k_yuan", 0),
])
def test_money_is_converted_to_the_keys_unit(raw, target, expected):
    assert convert_money(parse_value(raw), target) == expected


def test_money_of_a_non_number_is_none():
    assert convert_money(Value(None, "见附件"), "yuan") is None


@pytest.mark.parametrize(("a", "b"), [
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
     "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
    ("3.危及“三安全一稳定”", '3．危及"三安全一稳定"'),
    ("规范性文件", "規範性文件"),
    ("商业企业", "商业 企业"),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
     "1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请"),
])
def test_label_variants_share_a_key(a, b):
    assert label_key(a) == label_key(b)


def test_numbering_is_kept_on_request():
    assert label_key("（七）总计") == "总计"
    assert label_key("（七）总计", keep_numbering=True) == "七总计"
    assert label_key("( 七 ) 总 计") == "总计"


def test_chinese_numerals():
    assert chinese_year("二〇二〇") == 2020
    assert chinese_year("二零一九") == 2019
    assert chinese_year("二〇二") is None
    assert chinese_number("十二") == 12
    assert chinese_number("三十一") == 31
    assert chinese_number("五") == 5
