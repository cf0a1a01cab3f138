"""Crawl throughput, re-extraction speed and crawl memory (a measurement, not a test).

    python benchmarks/crawl_throughput.py [--scale N] [--latency MS]

In one run: generate the demo network (default three portals, or N), serve it on
127.0.0.1 (optionally with latency so the crawl is network-bound), then

1. the full pipeline (`govcrawl crawl --no-delay`: spider, extraction, archive) into a
   fresh archive;
2. a bare Scrapy spider fetching exactly the URLs the full crawl fetched, with the same
   concurrency, proxy and robots.txt handling, and no pipelines — the baseline;
3. `govcrawl reextract` on the archive.

Prints pages/s of both and their ratio, reports/s of reextract, and the peak resident
memory of the full crawl (its largest process, and the crawl process and its extraction
workers together).  Both crawls run in subprocesses (one Twisted
reactor per process).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from govcrawl.demo import network
from govcrawl.demo.server import serve_in_thread

ROOT = Path(__file__).resolve().parents[1]

BARE_SPIDER = textwrap.dedent("""
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = json.load(open(sys.argv[1]))

    class Bare(scrapy.Spider):
        name = "bare"
        async def start(self):
            for url in urls:
                yield scrapy.Request(url, callback=self.parse, dont_filter=True,
                                     meta={"proxy": sys.argv[2], "handle_httpstatus_all": True})
        def parse(self, response):
            return None

    process = CrawlerProcess({"ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                              "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": int(sys.argv[3]),
                              "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "RETRY_TIMES": 1,
                              "USER_AGENT": "govcrawl-benchmark",
                              # the same per-portal limit as the full crawl: Scrapy's own
                              # downloader exceeds it under asyncio (govcrawl/downloader.py)
                              "DOWNLOADER": "govcrawl.crawl.downloader.Downloader"})
    process.crawl(Bare)
    process.start()
""")


def child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=None)
    parser.add_argument("--latency", type=float, default=0.0, help="ms per response")
    parser.add_argument("--per-domain", type=int, default=8,
                        help="concurrent requests per domain, for both crawls")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        start = time.perf_counter()
        manifest = network.generate(tmp_path / "net", 1, args.scale)
        print(f"network: {len(manifest['portals'])} portals, {manifest['report_count']} reports "
              f"(generated in {time.perf_counter() - start:.1f} s); latency {args.latency:g} ms, "
              f"{args.per_domain} requests per domain")
        registry = tmp_path / "net" / network.REGISTRY
        server = serve_in_thread(tmp_path / "net", latency_ms=args.latency)
        proxy = f"http://127.0.0.1:{server.port}"
        db = tmp_path / "archive.db"
        try:
            start = time.perf_counter()
            full = subprocess.Popen(
                [sys.executable, "-m", "govcrawl.cli", "crawl", "--registry", str(registry),
                 "--db", str(db), "--proxy", proxy, "--no-delay", "--per-domain", str(args.per_domain)],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            samples = _sample_rss(full)
            stderr = full.stderr.read() if full.stderr else ""
            full_seconds = time.perf_counter() - start
            full_peak = child_peak_mb()
            if full.returncode != 0:
                sys.exit(f"full crawl failed: {stderr[-2000:]}")
            with sqlite3.connect(db) as conn:
                counts = json.loads(conn.execute("SELECT counts FROM crawl_runs").fetchone()[0])
                reports = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
            requests = counts["requests"]
            urls_file = tmp_path / "urls.json"
            with sqlite3.connect(db) as conn:
                urls = [u for (u,) in conn.execute("SELECT url FROM fetches ORDER BY id")]
            listing_urls = _listing_urls(manifest, tmp_path / "net")
            urls_file.write_text(json.dumps(listing_urls + urls))
            start = time.perf_counter()
            bare = subprocess.run([sys.executable, "-c", BARE_SPIDER, str(urls_file), proxy,
                                   str(args.per_domain)],
                                  cwd=ROOT, capture_output=True, text=True)
            bare_seconds = time.perf_counter() - start
            if bare.returncode != 0:
                sys.exit(f"bare crawl failed: {bare.stderr[-2000:]}")
        finally:
            server.shutdown()
            server.server_close()
        full_rate = requests / full_seconds
        bare_rate = (len(urls) + len(listing_urls)) / bare_seconds
        tree_peak = max(samples, default=0.0)
        print(f"full pipeline: {requests} requests in {full_seconds:.1f} s = {full_rate:.0f} pages/s, "
              f"{reports} reports archived; peak RSS {full_peak:.0f} MB (largest process), "
              f"{tree_peak:.0f} MB (crawl and extraction workers together, sampled each second)")
        if samples:
            quarters = [samples[min(len(samples) - 1, int(len(samples) * q))] for q in (0.25, 0.5, 0.75)]
            print("crawl tree RSS over time (MB) at 25/50/75/100% of the crawl: "
                  + " / ".join(f"{v:.0f}" for v in [*quarters, samples[-1]]))
        print(f"bare Scrapy:   {len(urls) + len(listing_urls)} requests in {bare_seconds:.1f} s = "
              f"{bare_rate:.0f} pages/s")
        print(f"ratio full / bare: {full_rate / bare_rate:.2f}")
        start = time.perf_counter()
        re = subprocess.run([sys.executable, "-m", "govcrawl.cli", "reextract", "--db", str(db)],
                            cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        print(f"reextract: {reports} reports in {seconds:.1f} s = {reports / seconds:.0f} reports/s "
              f"(process included) — {re.stdout.strip()}")


def _sample_rss(process: subprocess.Popen) -> list[float]:
    """The resident memory of the crawl's whole process tree (the crawl and its extraction
    workers) every second until it exits (MB)."""
    samples = []
    while process.poll() is None:
        total = sum(_rss_kb(pid) for pid in _tree(process.pid))
        if total:
            samples.append(total / 1024)
        time.sleep(1)
    return samples


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return pids


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _listing_urls(manifest: dict, root: Path) -> list[str]:
    """Every listing page of the network (the full crawl discovered them by paging)."""
    out = []
    for portal in manifest["portals"]:
        site = root / "site" / portal["host"]
        for path in sorted(site.rglob("index*")):
            relative = "/" + str(path.relative_to(site)).replace("__", "?")
            if relative != "/index.html":  # the home page, which the crawl does not fetch
                out.append(f"http://{portal['host']}{relative}")
    return out


if __name__ == "__main__":
    main()
