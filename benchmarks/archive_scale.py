"""The archive at scale (a measurement, not a test).

    python benchmarks/archive_scale.py [--reports 100000] [--work DIR] [--queries 200] [--reextract]

1. Generate the demo network at the scale that gives ``--reports`` reports.
2. Build an archive from its pages with the crawl's own store path (raw.record_fetch
   and apply_fetch, extraction in a process pool, the end-of-run upkeep) — everything but
   HTTP, which benchmarks/crawl_throughput.py measures.  Kept in --work for later runs.
3. Measure:
   - bytes per report: the file, and each table and index (dbstat);
   - search through the index (first 20 hits with snippets, the CLI's path) against the
     baseline in the same run, a LIKE substring scan of the same texts;
   - p50/p95 of every Datasette page the metadata exposes, in process with the project's
     metadata and plugin: each table and view (first page, its facets), each canned query
     with realistic parameters, the dashboard and each of its charts' queries, the search
     page (/-/search: all reports, one year, JSON) and Datasette's own table search;
   - with --reextract, the time ``govcrawl reextract`` takes on a copy;
   and project the size and the reextract time to a million reports (linear: both are).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from govcrawl.archive import raw, upkeep
from govcrawl.archive.schema import open_db
from govcrawl.archive.versions import Reading, apply_fetch
from govcrawl.clock import now_iso
from govcrawl.demo import network
from govcrawl.extract.page import read_page
from govcrawl.research import search

REPORTS_PER_PORTAL = 170  # 10 units × 17 years


def _read(job: tuple[bytes, str, str]) -> Reading:
    data, url, kind = job
    record, reason, links = read_page(data, url, kind)
    return Reading.of(record, reason, url, links)


def build(root: Path, db_path: Path, workers: int) -> float:
    """Store every report page and attachment of the network; returns seconds taken."""
    start = time.perf_counter()
    db = open_db(str(db_path))
    db.execute("PRAGMA journal_mode=OFF")  # a build from scratch: a crash means a rebuild
    manifest_portals = {p["id"]: p for p in json.loads((root / "manifest.json").read_text())["portals"]}
    with db.conn:
        for p in manifest_portals.values():
            db.execute("INSERT OR REPLACE INTO portals (portal_id, name, province, city, district, code, homepage, "
                       "cms, verified, demo) VALUES (?,?,?,?,?,?,?,?,1,1)",
                       [p["id"], p["name"], p["province"], p["city"], p["district"], p["code"], p["homepage"],
                        p["cms"]])
    jobs: list[tuple[str, str, str]] = []  # (url, portal, kind)
    for report in network.iter_reports(root):
        jobs += [(u, report["portal"], "report") for u in report["urls"]]
        jobs += [(u, report["portal"], "attachment") for u in report["attachments"]]
    fetched_at = now_iso()
    done = 0
    with ProcessPoolExecutor(workers) as pool:
        for chunk_start in range(0, len(jobs), 2000):
            chunk = jobs[chunk_start:chunk_start + 2000]
            bodies = []
            for url, _, _ in chunk:
                parts = urlsplit(url)
                bodies.append(network.site_path(root, parts.hostname, parts.path).read_bytes())
            readings = list(pool.map(_read, [(b, u, k) for b, (u, _, k) in zip(bodies, chunk, strict=True)],
                                     chunksize=50))
            with db.conn:
                for (url, portal, kind), body, reading in zip(chunk, bodies, readings, strict=True):
                    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
                    fetch = raw.record_fetch(db, raw.Fetch(
                        url=url, portal_id=portal, kind=kind, status=200, fetched_at=fetched_at,
                        etag=etag, body=body))
                    apply_fetch(db, fetch, lambda reading=reading: reading)
            done += len(chunk)
            print(f"  stored {done}/{len(jobs)} pages ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    with db.conn:
        upkept = upkeep.after_run(db)
    upkeep.reclaim(db, upkept)
    db.execute("PRAGMA journal_mode=WAL")
    db.conn.execute("ANALYZE")
    return time.perf_counter() - start


def sample_queries(db, count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    ids = [r[0] for r in db.execute("SELECT version_id FROM report_search").fetchall()]
    out: set[str] = set()
    while len(out) < count:
        # half from the texts (mostly common strings), half from titles (agency names: rare)
        column = "text" if len(out) % 2 else "title"
        text = db.execute(f"SELECT {column} FROM versions WHERE version_id = ?", [rng.choice(ids)]).fetchone()[0] or ""
        runs = re.findall(r"[\u4e00-\u9fff]{4,}", text)
        if runs:
            run = rng.choice(runs)
            length = rng.choice((2, 3, 4))
            begin = rng.randrange(0, len(run) - length + 1)
            out.add(run[begin:begin + length])
    return sorted(out)


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - start) * 1000, result


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def describe(name: str, ms: list[float]) -> str:
    return (f"{name}: p50 {statistics.median(ms):.1f} ms, p95 {pct(ms, 95):.1f} ms, max {max(ms):.1f} ms "
            f"({len(ms)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/govcrawl-archive-scale"))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-queries", type=int, default=20,
                        help="The LIKE scan is slow: time it on the first N queries only.")
    parser.add_argument("--rounds", type=int, default=20, help="Rounds of every Datasette page")
    parser.add_argument("--reextract", action="store_true", help="Also time govcrawl reextract on a copy")
    args = parser.parse_args()

    scale = max(1, math.ceil(args.reports / REPORTS_PER_PORTAL))
    root = args.work / f"network-scale{scale}"
    db_path = args.work / f"archive-scale{scale}.db"
    if not (root / "manifest.json").exists():
        start = time.perf_counter()
        network.generate(root, 1, scale)
        print(f"generated {scale} portals in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    if not db_path.exists():
        seconds = build(root, db_path, args.workers)
        print(f"built {db_path} in {seconds:.0f} s", file=sys.stderr)

    db = open_db(str(db_path))
    reports = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    size = db_path.stat().st_size
    print(f"archive: {reports} reports, {size / 1e9:.2f} GB, {size / reports / 1024:.1f} KB per report")
    try:
        per_table = db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 12").fetchall()
        print("  largest tables and indexes (KB per report): " +
              ", ".join(f"{name} {total / reports / 1024:.1f}" for name, total in per_table))
    except Exception as exc:  # dbstat is compiled into most SQLite builds, not all
        print(f"  (no per-table sizes: {exc})")

    queries = sample_queries(db, args.queries)
    for q in queries[:5]:  # warm the page cache the way a running server has it warm
        search.search(db, q, 20)
    index_ms = [timed(search.search, db, q, 20)[0] for q in queries]
    print(describe("search (index, first 20 hits with snippets)", index_ms))
    count_ms, hit_counts = zip(*(timed(search.count, db, q) for q in queries), strict=True)
    print(f"  hits per query: median {statistics.median(hit_counts):.0f}, max {max(hit_counts)}, "
          f"{sum(1 for h in hit_counts if h == 0)} with none")
    print(describe("count of all matching reports (index)", list(count_ms)))
    scan_ms = []
    for q in queries[: args.baseline_queries]:
        ms, _ = timed(lambda q=q: db.execute(
            "SELECT COUNT(*) FROM report_search s JOIN versions v ON v.version_id = s.version_id "
            "WHERE (s.title || char(10) || v.text) LIKE ?", [f"%{q}%"]).fetchone())
        scan_ms.append(ms)
    print(describe("baseline: count by LIKE substring scan", scan_ms))
    print(f"  baseline / index (counts, median): "
          f"{statistics.median(scan_ms) / statistics.median(count_ms[: args.baseline_queries]):.0f}×")

    from govcrawl.cli.research import datasette_app
    from govcrawl.research import catalog
    from govcrawl.research.queries import QUERIES

    ds = datasette_app(db_path)
    name = db_path.stem
    agencies = [r[0] for r in db.execute("SELECT agency FROM reports ORDER BY random() LIMIT 40").fetchall()]
    districts = [r[0] for r in db.execute("SELECT DISTINCT portal_id FROM report_search LIMIT 40").fetchall()]
    years = [str(r[0]) for r in db.execute("SELECT DISTINCT year FROM reports WHERE year IS NOT NULL").fetchall()]
    meta = catalog.metadata(name)["databases"][name]
    visible = [t for t, m in meta["tables"].items() if not m.get("hidden")]
    charts = catalog.dashboards(name)["overview"]["charts"]

    def requests(i: int) -> list[tuple[str, str, dict[str, str]]]:
        """One round of every page, with the i-th set of parameters."""
        out = [("dashboard", "/-/dashboards/overview", {})]
        for table in visible:
            out.append((f"table {table}", f"/{name}/{table}", {}))
            for facet in meta["tables"][table].get("facets", []):
                out.append((f"table {table} (facet {facet})", f"/{name}/{table}", {"_facet": facet}))
        params = {"agency": agencies[i % len(agencies)], "district": districts[i % len(districts)],
                  "year": years[i % len(years)], "q": queries[i % len(queries)]}
        for query in QUERIES:
            wanted = {k: v for k, v in params.items() if f":{k}" in query.sql}
            out.append((f"query {query.name}", f"/{name}/{query.name}", wanted))
        for chart_name, chart in charts.items():
            out.append((f"chart {chart_name}", f"/{name}.json", {"sql": chart["query"], "_shape": "array"}))
        out.append(("search page (/-/search)", "/-/search", {"q": queries[i % len(queries)]}))
        out.append(("search page, one year", "/-/search",
                    {"q": queries[i % len(queries)], "year": years[i % len(years)]}))
        out.append(("search page JSON", "/-/search", {"q": queries[i % len(queries)], "_format": "json"}))
        # Datasette's own table search: a pass over the matches for its count and each facet
        # (with a parameter more than the box sends, which the search page would answer)
        out.append(("table search report_search?_search=&_size=50", f"/{name}/report_search",
                    {"_search": queries[i % len(queries)], "_size": "50"}))
        out.append(("table search JSON", f"/{name}/report_search.json",
                    {"_search": queries[i % len(queries)], "_shape": "array"}))
        return out

    async def pages() -> dict[str, list[float]]:
        await ds.invoke_startup()
        out: dict[str, list[float]] = {}
        for _label, path, params in requests(0):  # warm: a running server has its caches warm
            await ds.client.get(path, params=params)
        for i in range(args.rounds):
            for label, path, params in requests(i):
                start = time.perf_counter()
                response = await ds.client.get(path, params=params)
                out.setdefault(label, []).append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, params, response.status_code, response.text[:300])
        return out

    timings = asyncio.run(pages())
    worst = max(timings.items(), key=lambda item: pct(item[1], 95))
    print(f"Datasette pages ({len(timings)} kinds, {args.rounds} rounds each; worst p95: {worst[0]} "
          f"{pct(worst[1], 95):.0f} ms):")
    for label, ms in sorted(timings.items(), key=lambda item: -pct(item[1], 95)):
        print("  " + describe(label, ms))

    projected = size / reports * 1_000_000
    print(f"projection to 1,000,000 reports: {projected / 1e9:.1f} GB")
    if args.reextract:
        copy = args.work / "reextract-copy.db"
        shutil.copy(db_path, copy)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "govcrawl.cli", "reextract", "--db", str(copy)],
                                capture_output=True, text=True)
        seconds = time.perf_counter() - start
        assert result.returncode == 0, result.stderr[-2000:]
        print(f"reextract: {seconds:.0f} s for {reports} reports "
              f"(projected to 1,000,000: {seconds / reports * 1_000_000 / 3600:.1f} h)")
        for leftover in (copy, *copy.parent.glob(copy.name + "*")):  # with its -wal, -shm and lock
            leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
