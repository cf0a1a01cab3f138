"""Label matching: a cell's text → a canonical row, column or table marker.

Matching is tolerant by design (typos, traditional characters, half-width brackets,
labels with explanatory text appended) but never guesses between two keys: exact key
first, then containment, then a similarity ratio with a high bar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from govcrawl.extract import keys as K
from govcrawl.extract.normalize import fold, label_key

FUZZY_MIN_RATIO = 0.75


@dataclass(frozen=True)
class RowMatch:
    table: str
    row: K.Row
    how: str  # exact | contains | fuzzy


def _candidates(rows: tuple[K.Row, ...]) -> list[tuple[str, K.Row]]:
    """(comparison key, row) for every row's label and aliases."""
    return [(label_key(text), row) for row in rows for text in (row.label, *row.aliases)]


_REQUEST_CANDIDATES = _candidates(K.REQUEST_ROWS)
_PROACTIVE_CANDIDATES = _candidates(K.PROACTIVE_ROWS)
# Short labels that are also column headers: only numbered forms are rows.
_NEEDS_NUMBERING = {"总计": "results_total", "其他": "other.other"}
_NUMBERED = re.compile(r"^\s*(?:[(（]\s*[一二三四五六七八九十]+\s*[)）]|\d+\s*[.．、,)])")


def _best(candidates: list[tuple[str, K.Row]], text_key: str) -> tuple[K.Row, str] | None:
    for key, row in candidates:
        if key == text_key:
            return row, "exact"
    contained = [(len(key), row) for key, row in candidates
                 if len(key) >= 3 and key in text_key and len(key) * 2 >= len(text_key)]
    if contained:
        contained.sort(key=lambda item: -item[0])
        return contained[0][1], "contains"
    starts = [(len(key), row) for key, row in candidates
              if len(text_key) >= 4 and key.startswith(text_key) and len(text_key) >= len(key) * 0.6]
    if starts:
        starts.sort(key=lambda item: item[0])
        return starts[0][1], "prefix"
    if len(text_key) < 4:
        return None
    scored = []
    for key, row in candidates:
        if len(key) < 4:
            continue
        ratio = SequenceMatcher(None, key, text_key, autojunk=False).ratio()
        if ratio >= FUZZY_MIN_RATIO:
            scored.append((ratio, row))
    if scored:
        scored.sort(key=lambda item: -item[0])
        if len(scored) == 1 or scored[0][0] - scored[1][0] > 0.05:
            return scored[0][1], "fuzzy"
    return None


@lru_cache(maxsize=4096)
def match_request_row(text: str) -> tuple[K.Row, str] | None:
    """A Table 3 row label → its row (2021 sub-rows of （六） included)."""
    key = label_key(text)
    if not key:
        return None
    if key in _NEEDS_NUMBERING:
        if not _NUMBERED.match(re.sub(r"\s+", "", fold(text))):
            return None
        wanted = _NEEDS_NUMBERING[key]
        return next(r for r in K.REQUEST_ROWS if r.key == wanted), "exact"
    if len(key) > 60:
        return None
    return _best(_REQUEST_CANDIDATES, key)


@lru_cache(maxsize=4096)
def match_proactive_row(text: str) -> tuple[K.Row, str] | None:
    """A Table 2 row label → its row; '行政规范性文件' and '规范性文件' are one row."""
    key = label_key(text)
    if not key or len(key) > 40:
        return None
    for candidate, row in _PROACTIVE_CANDIDATES:
        if candidate == key:
            return row, "exact"
    # Hubei-style explanatory suffixes: 规章(设区的市…应提供相关数据)
    for candidate, row in sorted(_PROACTIVE_CANDIDATES, key=lambda c: -len(c[0])):
        if key.startswith(candidate) and len(candidate) >= 2:
            return row, "contains"
    if len(key) >= 4:
        scored = [(SequenceMatcher(None, c, key, autojunk=False).ratio(), row)
                  for c, row in _PROACTIVE_CANDIDATES if len(c) >= 4]
        scored = [s for s in scored if s[0] >= 0.8]
        if scored:
            scored.sort(key=lambda item: -item[0])
            return scored[0][1], "fuzzy"
    return None


@lru_cache(maxsize=4096)
def match_group(text: str) -> str | None:
    """A Table 3 group label (三、本年度办理结果, （三）不予公开 …) → its canonical text."""
    key = label_key(text)
    for group in (*K.REQUEST_GROUP_LABELS, K.GROUP_OTHER):
        if key == label_key(group):
            return group
    return None


_BLOCK = re.compile(r"第二十条第\s*\(?\s*([一二三四五六七八九十]+)\s*\)?\s*项")


def match_block(text: str) -> str | None:
    """'第二十条第（一）项' → '一'."""
    folded = re.sub(r"\s+", "", fold(text))
    match = _BLOCK.search(folded)
    return match.group(1) if match and len(folded) < 40 else None


@lru_cache(maxsize=4096)
def match_column(text: str, columns: tuple[K.Column, ...]) -> K.Column | None:
    """A header cell → one of ``columns`` (exact, containment, then fuzzy)."""
    key = label_key(text)
    if not key:
        return None
    for column in columns:
        if key == label_key(column.label) or key in (label_key(a) for a in column.aliases):
            return column
    for column in columns:
        ckey = label_key(column.label)
        if len(key) >= 3 and ((ckey.startswith(key) and len(key) >= len(ckey) * 0.75)
                              or key.startswith(ckey)):
            return column
    scored = [(SequenceMatcher(None, label_key(c.label), key, autojunk=False).ratio(), c)
              for c in columns]
    scored = [s for s in scored if s[0] >= 0.8]
    if scored:
        scored.sort(key=lambda item: -item[0])
        return scored[0][1]
    return None


# Words that open a requests / appeals table or belong to their headers.
REQUEST_HEADER_WORDS = frozenset(label_key(w) for w in (
    "申请人情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "科研企业",
    "社会公益组织", "法律服务机构", "其他"))
APPEAL_HEADER_WORDS = frozenset(label_key(w) for w in (
    "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
    "未经复议直接起诉", "复议后起诉"))


def is_balance_note(text: str) -> bool:
    """The corner cell of Table 3 ('本列数据的勾稽关系为…')."""
    return "勾稽关系" in fold(text)


def is_info_header(text: str) -> bool:
    return label_key(text) == "信息内容"


@lru_cache(maxsize=16384)
def mostly_words(key: str, words: frozenset[str], share: float = 0.8) -> bool:
    """Is a label key made (mostly) of these header words?  Headers run together in
    flattened text ('结果维持结果纠正其他结果…') and OCR breaks words across lines
    ('…未经复议直接起' / '诉复议后起诉'): most of the key must be whole header words."""
    if not key:
        return False
    if key in words:
        return True
    covered = index = 0
    longest = sorted(words, key=len, reverse=True)
    # A word broken across lines: the key may start with a word's end and stop in a word.
    head = max((n for n in range(2, len(key) + 1) if any(w.endswith(key[:n]) for w in words)), default=0)
    tail = max((n for n in range(2, len(key) - head + 1) if any(w.startswith(key[-n:]) for w in words)), default=0)
    if head + tail:
        covered, index = head, head
        key = key[: len(key) - tail] if tail else key
        covered += tail
    while index < len(key):
        word = next((w for w in longest if key.startswith(w, index)), None)
        if word:
            covered += len(word)
            index += len(word)
        else:
            index += 1
    return covered >= share * len(key) and covered >= 4
