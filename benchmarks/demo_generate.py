"""Time and peak memory of generating the demo network (a measurement, not a test).

    python benchmarks/demo_generate.py [--scale N]

Generates the default network and, with --scale, N portals, into a temporary
directory, and reports seconds, reports per second and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from govcrawl.demo import network


def run(scale: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        manifest = network.generate(Path(tmp) / "net", epoch=1, scale=scale)
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    label = f"--scale {scale}" if scale else "default"
    print(f"{label}: {len(manifest['portals'])} portals, {manifest['report_count']} reports, "
          f"{size / 1e6:.0f} MB in {seconds:.1f} s ({manifest['report_count'] / seconds:.0f} reports/s); "
          f"peak RSS so far {peak_mb:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=None)
    args = parser.parse_args()
    run(None)
    if args.scale:
        run(args.scale)


if __name__ == "__main__":
    main()
