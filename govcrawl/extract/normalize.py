"""Text normalisation and cell-value parsing.

Real reports mix full- and half-width forms, traditional characters (mirror sites),
curly and straight quotes and stray spaces; everything that compares labels goes
through :func:`label_key` so that those differences never decide a match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Characters NFKC leaves alone but reports use interchangeably.
_PUNCT_MAP = str.maketrans({
    "“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "『": '"', "』": '"',
    "—": "-", "–": "-", "－": "-", "―": "-", "‐": "-", "−": "-",
    "〔": "[", "〕": "]", "【": "[", "】": "]", "﹝": "[", "﹞": "]",
    "、": ",", "，": ",", "；": ";", "：": ":", "。": ".", "．": ".",
    "\u3000": " ", "\xa0": " ", "\u200b": "", "\ufeff": "",
})


def to_simplified(text: str) -> str:
    """Traditional → simplified; mirror sites convert reports character by character."""
    return _T2S.convert(text)


_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_GLOSS = re.compile(rf"(?<=[\u4e00-\u9fff])[(（]\s*[a-zü]*[{_TONED}][a-zü{_TONED}]*\s*[)）]")


def strip_glosses(text: str) -> str:
    """Pinyin glosses a mirror site puts after characters ('規(guī)章' → '規章')."""
    return _GLOSS.sub("", text)


def traditional_share(text: str) -> float:
    """Share of the CJK characters that simplification changes: ~0 for a simplified report,
    far above it for a mirror's traditional copy."""
    converted = to_simplified(text)
    if converted == text:
        return 0.0
    cjk = len(_HAN.findall(text))
    if not cjk or len(converted) != len(text):
        return 0.0 if not cjk else 1.0
    return sum(1 for a, b in zip(text, converted, strict=True) if a != b) / cjk


_HAN = re.compile("[\u4e00-\u9fff]")


def fold(text: str) -> str:
    """Width-fold, simplify and unify punctuation; keeps every meaningful character."""
    if len(text) <= 64:
        return _fold_short(text)
    return _fold_long(text)


@lru_cache(maxsize=4)
def _fold_long(text: str) -> str:
    """A document's text is folded once however many readers ask for it."""
    return to_simplified(unicodedata.normalize("NFKC", text).translate(_PUNCT_MAP))


@lru_cache(maxsize=65536)
def _fold_short(text: str) -> str:
    """Cell and label texts repeat across a report and across reports: fold each once."""
    return to_simplified(unicodedata.normalize("NFKC", text).translate(_PUNCT_MAP))


_LABEL_DROP = re.compile(r"[\s\"'()\[\]<>《》,.;:!?、·/\\|_*#~-]+")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[,.]|\(?[一二三四五六七八九十]+\)|\d+[.),](?!\d))")


@lru_cache(maxsize=8192)
def label_key(text: str, keep_numbering: bool = False) -> str:
    """A comparison key for labels: folded, no spaces or punctuation, numbering optional."""
    folded = re.sub(r"\s+", "", fold(text))
    if not keep_numbering:
        previous = None
        while previous != folded:
            previous = folded
            folded = _NUMBERING.sub("", folded.strip()).strip()
    return _LABEL_DROP.sub("", folded)


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")


def squeeze(text: str) -> str:
    """PDF text puts spaces around CJK ('2023 年', '邮 编 ：'); Chinese has none."""
    return _CJK_SPACE.sub("", text)


# --- values -------------------------------------------------------------------------------

_ZERO_MARKS = {"/", "-", "--", "无", "0", "零", "—", "——", "\\", "／", "－"}
_NUMBER = re.compile(
    r"^(?P<sign>[+-])?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>万元|亿元|元|个|件|项|条|次|宗|人次|家)?$"
)


@dataclass(frozen=True)
class Value:
    """A parsed table cell: the number (None when not a number), and how it was written."""

    number: int | float | None
    raw: str
    blank: bool = False
    unit: str | None = None


def clean_cell(raw: str) -> str:
    """Fold a cell's text to what a number parser can read."""
    text = fold(raw)
    text = re.sub(r"\s+", "", text)
    text = text.replace("(万元)", "万元").replace("(元)", "元").replace("(亿元)", "亿元")
    return text.strip("()[]")


@lru_cache(maxsize=65536)
def parse_value(raw: str) -> Value:
    """Parse a cell: integers, signed changes, money with units, zero marks, blanks."""
    text = clean_cell(raw)
    if text == "":
        return Value(None, raw.strip(), blank=True)
    if text in _ZERO_MARKS or text.replace("-", "") == "":
        return Value(0, raw.strip())
    match = _NUMBER.match(text)
    if not match:
        # "12个" style counts and "251000元" are caught above; anything else is not a number.
        return Value(None, raw.strip())
    number_text = match.group("num").replace(",", "")
    number: int | float = float(number_text) if "." in number_text else int(number_text)
    if match.group("sign") == "-":
        number = -number
    unit = match.group("unit")
    return Value(number, raw.strip(), unit=unit)


def is_value_text(raw: str) -> bool:
    """True when a cell reads as a figure or a blank (not as a label)."""
    value = parse_value(raw)
    return value.blank or value.number is not None


def convert_money(value: Value, target_unit: str) -> int | float | None:
    """Convert a money cell to the unit named by the key (yuan or 10k yuan)."""
    if value.number is None:
        return None
    amount = float(value.number)
    factors = {"元": 1.0, "万元": 10_000.0, "亿元": 100_000_000.0}
    written_in = factors.get(value.unit or "")
    if written_in is None:
        written_in = 10_000.0 if target_unit == "10k_yuan" else 1.0
    target = 10_000.0 if target_unit == "10k_yuan" else 1.0
    result = round(amount * written_in / target, 6)
    return int(result) if result.is_integer() and "." not in value.raw else result


# --- numerals and dates ---------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_year(text: str) -> int | None:
    """'二〇二〇' → 2020 (digit by digit, as years are written)."""
    digits = [_CN_DIGITS.get(ch) for ch in text]
    if len(digits) != 4 or any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


def chinese_number(text: str) -> int | None:
    """Small Chinese numerals: '十二' → 12, '三十一' → 31, '五' → 5."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "十" in text:
        left, _, right = text.partition("十")
        tens = _CN_DIGITS.get(left) if left else 1
        ones = _CN_DIGITS.get(right) if right else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    return None
