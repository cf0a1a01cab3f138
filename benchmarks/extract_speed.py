"""Extraction speed against in-run baselines (a measurement, not a test).

Median time to extract one report, per HTML page and per text report, next to the time
lxml alone takes to parse the same HTML.  Uses the real material in ../shared/ when it
is there and the project's own fixtures always.

    python benchmarks/extract_speed.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from lxml import html as lxml_html

from govcrawl.extract.record import extract_bytes

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 10.0  # median per real HTML page: a crawl extracts every page it archives
SHARED = ROOT.parent / "shared"


def median_ms(func: Callable[[], object], repeat: int) -> float:
    func()  # warm caches (label matching is memoised per process, as in a crawl)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def collect() -> dict[str, list[tuple[str, bytes]]]:
    """Report sets: real pages and texts from ../shared/ (when present), and our fixtures."""
    fixtures = ROOT / "tests" / "files"
    sets = {
        "shared HTML (real portal pages)": sorted((SHARED / "corpus" / "pingtan").glob("*/page.html")),
        "fixture HTML (generated)": sorted(fixtures.glob("*.html")),
        "shared text (real reports)": sorted((SHARED / "corpus" / "texts").glob("*.txt"))
        + sorted((SHARED / "seeds").glob("*.txt")),
        "fixture text (generated)": sorted(fixtures.glob("*.txt")),
    }
    return {name: [(str(p.relative_to(p.parents[1])), p.read_bytes()) for p in paths]
            for name, paths in sets.items() if paths}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--verbose", action="store_true", help="one line per report")
    args = parser.parse_args()
    print(f"median of {args.repeat} runs per report; lxml = lxml.html parse of the same bytes\n")
    for name, reports in collect().items():
        extract_times, parse_times = [], []
        for label, data in reports:
            extract_ms = median_ms(lambda d=data, n=label: extract_bytes(d, n), args.repeat)
            extract_times.append(extract_ms)
            if "HTML" in name:
                parse_ms = median_ms(lambda d=data: lxml_html.document_fromstring(d), args.repeat)
                parse_times.append(parse_ms)
            if args.verbose:
                extra = f"  lxml {parse_ms:6.2f} ms" if "HTML" in name else ""
                print(f"  {label[-40:]:40} {extract_ms:7.2f} ms{extra}")
        line = (f"{name}: {len(reports)} reports, median extraction "
                f"{statistics.median(extract_times):.2f} ms (max {max(extract_times):.2f})")
        if "real portal" in name:
            median = statistics.median(extract_times)
            line += f" — budget {BUDGET_MS:.0f} ms: {'within' if median <= BUDGET_MS else 'OVER'}"
        if parse_times:
            ratios = [e / p for e, p in zip(extract_times, parse_times, strict=True) if p > 0.05]
            line += (f"; lxml parse alone median {statistics.median(parse_times):.2f} ms; "
                     f"extraction / parse median {statistics.median(ratios):.1f}x")
        print(line)


if __name__ == "__main__":
    main()
