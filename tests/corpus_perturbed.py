"""The shared corpus's real reports as other tools and copies leave them — full-width digits,
traditional characters, doubled line breaks, tables flattened into <p> paragraphs, lines
wrapped mid-word — scored against the same hand-checked truth.  A reader that learned the
corpus's strings, not the genre, loses figures here.

    python tests/corpus_perturbed.py [KIND ...] [--verbose]
"""

from __future__ import annotations

import html
import json
import random
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import opencc
from reading_kinds import flagged

from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.record import extract_bytes

from corpus_truth import CORPUS, FIELD_MAP, SCORED, record_value

_S2T = opencc.OpenCC("s2t")


def _wrap_lines(text: str, rng: random.Random) -> str:
    """Prose and title lines (no figures in them) wrapped at a random point, a third of them."""
    out: list[str] = []
    for line in text.splitlines():
        if len(line) > 12 and not re.search(r"\d", line) and rng.random() < 0.3:
            cut = rng.randrange(4, len(line) - 2)
            out += [line[:cut], line[cut:]]
        else:
            out.append(line)
    return "\n".join(out)


#: kind → (perturbation, the file name it is read under)
KINDS: dict[str, tuple[Callable[[str, random.Random], str], str]] = {
    "full_width_digits": (lambda t, _: t.translate(str.maketrans("0123456789", "０１２３４５６７８９")), ".txt"),
    "traditional": (lambda t, _: _S2T.convert(t), ".txt"),
    "crlf": (lambda t, _: t.replace("\n", "\r\n"), ".txt"),
    "doubled_breaks": (lambda t, _: "\r\n\r\n".join(t.splitlines()), ".txt"),
    "old_mac_breaks": (lambda t, _: t.replace("\n", "\r"), ".txt"),
    "no_break_spaces": (lambda t, _: t.replace(" ", "\u00a0"), ".txt"),
    "paragraph_page": (lambda t, _: "<html><body><div class='article'>" + "".join(
        f"<p>{html.escape(line)}</p>\n" for line in t.splitlines()) + "</div></body></html>", ".html"),
    "wrapped_lines": (_wrap_lines, ".txt"),
}


def items() -> Iterator[tuple[dict[str, Any], Path]]:
    for line in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        yield truth, CORPUS / "texts" / f"{truth['id']}.txt"
    for line in (CORPUS / "real2" / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        yield {**truth, "format": truth.get("template")}, CORPUS / "real2" / truth["file"]


def _metric_key(field: str, record: dict[str, Any]) -> str | None:
    where = FIELD_MAP.get(field, "")
    if where.startswith("metric:"):
        return where[len("metric:"):]
    if field.endswith("_current"):
        return "proactive." + field.replace("_current", "")
    return None


def score(kind: str) -> tuple[int, int, list[str], list[str]]:
    """(right, total, misses, wrong figures nothing flags) over the corpus perturbed as ``kind``."""
    perturb, suffix = KINDS[kind]
    right = total = 0
    misses: list[str] = []
    unflagged: list[str] = []
    for truth, path in items():
        text = perturb(path.read_bytes().decode("utf-8", "replace"), random.Random(1))
        try:
            record = extract_bytes(text.encode("utf-8"), path.stem + suffix)
        except ExtractionError:
            record = None
        for field in SCORED:
            expected = truth.get(field)
            if expected is None:
                continue
            total += 1
            got = record_value(record, field) if record else None
            if got == expected:
                right += 1
                continue
            misses.append(f"{truth['id']} {field}: expected {expected!r}, got {got!r}")
            key = _metric_key(field, record or {})
            if record and got is not None and key and not flagged(record, key):
                unflagged.append(misses[-1])
    return right, total, misses, unflagged


if __name__ == "__main__":
    chosen = [a for a in sys.argv[1:] if not a.startswith("--")] or list(KINDS)
    for name in chosen:
        r, t, missed, wrong = score(name)
        print(f"{name:18} {r}/{t} = {r / t:.3f}, {len(wrong)} wrong figures unflagged")
        if "--verbose" in sys.argv:
            print("".join(f"   {m}\n" for m in missed), end="")
