"""One worker against two on a shared Redis frontier (a measurement, not a test).

    python benchmarks/distributed_throughput.py [--scale 50] [--latency 200] [--per-domain 2]

In one run: generate the demo network at ``--scale`` portals, serve it on 127.0.0.1
with ``--latency`` ms added to every response (so the crawl is network-bound, as real
crawls are), start a Redis on a free port, then crawl the network twice into fresh
archives — `govcrawl ingest` with one `govcrawl crawl --redis` worker, then with two —
and print pages/s of each and their ratio.  Every process is a subprocess; Redis is
started from the Debian package's redis-server.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from govcrawl.demo import network
from govcrawl.demo.server import serve_in_thread

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crawl(workers: int, redis_url: str, proxy: str, registry_file: Path, work: Path, per_domain: int) -> dict:
    db = work / f"archive-{workers}.db"
    env = dict(os.environ)
    start = time.perf_counter()
    writer = subprocess.Popen([sys.executable, "-m", "govcrawl.cli", "ingest", "--redis", redis_url, "--db", str(db),
                               "--registry", str(registry_file), "--idle", "2"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    crawlers = [subprocess.Popen([sys.executable, "-m", "govcrawl.cli", "crawl", "--redis", redis_url, "--proxy", proxy,
                                  "--no-delay", "--per-domain", str(per_domain)], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(workers)]
    outs = [c.communicate()[0] for c in crawlers]
    crawl_seconds = time.perf_counter() - start
    writer_out, writer_err = writer.communicate()
    if writer.returncode:
        raise SystemExit(writer_err[-2000:])
    requests = 0
    for out in outs:
        # "worker finished in 12 s: 351 pages and 33 listing pages handed over, ..."
        words = out.split()
        requests += int(words[words.index("pages") - 1]) + int(words[words.index("listing") - 1])
    return {"workers": workers, "seconds": crawl_seconds, "pages": requests, "summary": writer_out.strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--latency", type=float, default=200.0, help="ms per response")
    parser.add_argument("--per-domain", type=int, default=2, help="concurrent requests per domain, per worker")
    args = parser.parse_args()
    redis_server = shutil.which("redis-server")
    if not redis_server:
        raise SystemExit("redis-server not found (Debian: apt-get install redis-server)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = work / "network"
        start = time.perf_counter()
        manifest = network.generate(root, 1, args.scale)
        print(f"network: {args.scale} portals, {manifest['report_count']} reports "
              f"(generated in {time.perf_counter() - start:.0f} s); latency {args.latency:.0f} ms, "
              f"{args.per_domain} requests per domain per worker")
        registry_file = root / network.REGISTRY
        server = serve_in_thread(root, latency_ms=args.latency)
        port = free_port()
        redis = subprocess.Popen([redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        try:
            results = [crawl(n, f"redis://127.0.0.1:{port}/0", f"http://127.0.0.1:{server.port}", registry_file,
                             work, args.per_domain) for n in (1, 2)]
        finally:
            redis.terminate()
            server.shutdown()
        for r in results:
            print(f"{r['workers']} worker(s): {r['pages']} pages in {r['seconds']:.1f} s = "
                  f"{r['pages'] / r['seconds']:.0f} pages/s — {r['summary']}")
        one, two = (r["pages"] / r["seconds"] for r in results)
        print(f"throughput two workers / one: {two / one:.2f}")


if __name__ == "__main__":
    main()
