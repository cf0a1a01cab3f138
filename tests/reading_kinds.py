"""Score extraction on generated reports rendered as other tools leave them
(govcrawl.demo.renderings): fields right, and wrong figures that nothing flags.

    python tests/reading_kinds.py [--count N] [--start SEED] [--kind KIND] [--verbose]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govcrawl.demo import renderings as R
from govcrawl.demo import samples as S
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.normalize import to_simplified
from govcrawl.extract.record import extract_bytes

AGENCIES = ("示范市东湖区人民政府", "示范市东湖区财政局", "示范市东湖区卫生健康委员会", "示范市西山区青山镇人民政府",
            "样例市南湖县城关街道办事处", "样例市南湖县市场监督管理局", "示范市西山区人民政府办公室")
META = ("agency", "year", "template", "period_start", "period_end")
CONTACT = ("address", "postcode", "phone", "email")
# What each kind keeps of a report: an opening passage has no tables.
TABLES_KEPT = {"opening": False, "titleless": True}


@dataclass
class Score:
    right: int = 0
    total: int = 0
    unflagged: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0


def spec_for(kind: str, seed: int) -> S.ReportSpec:
    rng = random.Random(seed)
    template = rng.choice(("2019", "2021", "2021") if kind not in ("opening",) else ("legacy", "2019", "2021"))
    quirks = frozenset(q for q in ("half_width", "blank_zeros", "straight_quotes", "comma_in_other", "fullwidth_dot")
                       if rng.random() < 0.25 and not (kind == "glued" and q == "blank_zeros"))
    # (glued figures of blank cells leave nothing to read back: such a table is left out, warned)
    return S.sample_spec(seed=seed, template=template, quirks=quirks, agency=rng.choice(AGENCIES),
                         scale=rng.choice((0, 5, 40, 300)))


def flagged(record: dict[str, Any], key: str) -> bool:
    """Does the record say this figure may be wrong: a failing or not-assessable check of its
    table, or a warning naming it or its table?"""
    table = key.split(".")[0]
    if any(c["rule"].startswith(table + ".") and c["status"] in ("fail", "not_assessable") for c in record["checks"]):
        return True
    return any(key in w or w.startswith(table) or f" {table}" in w for w in record["warnings"])


def score(kind: str, seed: int, total: Score, verbose: bool = False) -> None:
    spec = spec_for(kind, seed)
    data, name = R.render(kind, spec, seed)
    truth = S.expected(spec)
    if "统计" not in to_simplified(data.decode("utf-8", "replace")):  # a period the text does not state is null
        truth = {**truth, "period_start": None, "period_end": None}
    try:
        record = extract_bytes(data, name)
    except ExtractionError as exc:
        total.refused.append(f"{name}: {exc.reason}")
        total.total += len(META)
        return
    for field_name in META:
        total.total += 1
        if record.get(field_name) == truth[field_name]:
            total.right += 1
        else:
            total.misses.append(f"{name} {field_name}: {record.get(field_name)!r} ≠ {truth[field_name]!r}")
    for field_name in CONTACT:
        if kind == "titleless" and field_name in ("email",):
            continue
        want = truth["contact"].get(field_name)
        total.total += 1
        if record["contact"].get(field_name) == want:
            total.right += 1
        else:
            total.misses.append(f"{name} contact.{field_name}: {record['contact'].get(field_name)!r} ≠ {want!r}")
    if not TABLES_KEPT.get(kind, True) or spec.template == "legacy":
        return
    metrics = truth["metrics"]
    if "blank_zeros" in spec.quirks:
        # A table left wholly blank is a blank template: no figures (report-schema.md §1).
        for table in ("proactive", "requests", "appeals"):
            keys = [k for k in metrics if k.startswith(table + ".")]
            if keys and not any(metrics[k] for k in keys):
                metrics = {k: v for k, v in metrics.items() if k not in keys}
    for key, want in metrics.items():
        total.total += 1
        got = record["metrics"].get(key)
        if got is not None and abs(float(got) - float(want)) < 1e-6:
            total.right += 1
            continue
        total.misses.append(f"{name} {key}: {got!r} ≠ {want!r}")
        if got is not None and not flagged(record, key):
            total.unflagged.append(f"{name} {key}: {got!r} ≠ {want!r}")


def run(kinds: tuple[str, ...], count: int, verbose: bool = False, start: int = 1000) -> dict[str, Score]:
    out = {}
    for kind in kinds:
        total = Score()
        for seed in range(count):
            score(kind, start + seed, total, verbose)
        out[kind] = total
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--kind", action="append")
    parser.add_argument("--start", type=int, default=1000, help="first seed")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    for kind, result in run(tuple(args.kind or R.KINDS), args.count, args.verbose, args.start).items():
        print(f"{kind:10} {result.share:.3f} ({result.right}/{result.total}), {len(result.unflagged)} wrong unflagged, "
              f"{len(result.refused)} refused")
        if args.verbose:
            for line in (result.refused + result.unflagged + result.misses)[:40]:
                print("   ", line)
