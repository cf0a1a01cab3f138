"""Distributed crawls: workers on a shared frontier in a real Redis, one archive writer,
against the demo network served on 127.0.0.1 — compared with the single-process crawl."""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from govcrawl.archive.schema import open_db
from govcrawl.demo.server import serve_in_thread

from conftest import ROOT, demo_registry, epoch_root, free_port, snapshot

REDIS_SERVER = shutil.which("redis-server")

pytestmark = pytest.mark.skipif(
    not REDIS_SERVER and not os.environ.get("CI"),
    reason="redis-server not installed (.ci/run installs it; CI fails instead of skipping)")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(workdir)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture()
def network(demo_cache, tmp_path):
    root = epoch_root(demo_cache, 1)
    server = serve_in_thread(root)
    registry_file = tmp_path / "portals.yml"
    demo_registry(root, registry_file)
    yield server, registry_file
    server.shutdown()


_STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def prefix():
    """Each test its own Redis keys, and no process outliving its test."""
    yield f"t{uuid.uuid4().hex[:8]}"
    for process in _STARTED:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(process.logs, ignore_errors=True)  # type: ignore[attr-defined]
    _STARTED.clear()


def start(*args: str, lease: float | None = None) -> subprocess.Popen:
    """A govcrawl process whose output goes to files: a pipe nobody reads until the end
    would stall a chatty process (and its lease renewals) once its buffer is full."""
    env = dict(os.environ)
    if lease:
        env["GOVCRAWL_REDIS_LEASE"] = str(lease)
    logs = Path(tempfile.mkdtemp(prefix="govcrawl-process-"))
    process = subprocess.Popen([sys.executable, "-m", "govcrawl.cli", *args], cwd=ROOT, env=env,
                               stdout=(logs / "out").open("w"), stderr=(logs / "err").open("w"))
    process.logs = logs  # type: ignore[attr-defined]
    _STARTED.append(process)
    return process


def output(process: subprocess.Popen) -> tuple[str, str]:
    logs = process.logs  # type: ignore[attr-defined]
    return (logs / "out").read_text(), (logs / "err").read_text()


def ingest(redis_url: str, prefix: str, db: Path, registry_file: Path) -> subprocess.Popen:
    return start("ingest", "--redis", redis_url, "--redis-prefix", prefix, "--db", str(db),
                 "--registry", str(registry_file), "--idle", "3")


def worker(redis_url: str, prefix: str, server, lease: float | None = None) -> subprocess.Popen:
    return start("crawl", "--redis", redis_url, "--redis-prefix", prefix, "--proxy", f"http://127.0.0.1:{server.port}",
                 "--no-delay", "--per-domain", "2", lease=lease)


def finish(process: subprocess.Popen, timeout: float = 180) -> str:
    """Wait for the process; its stdout. A failure shows what every process of the test said."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{process.args[3]} still running after {timeout} s\n{_said()}")
    assert process.returncode == 0, _said()
    return output(process)[0]


def _said() -> str:
    return "\n".join(f"--- {' '.join(map(str, p.args[3:5]))} (exit {p.poll()}):\n{output(p)[1][-2000:]}"
                     for p in _STARTED)


def assert_same_archive(db: Path, reference: Path) -> None:
    got = snapshot(open_db(str(db)), ignore_history=True)
    want = snapshot(open_db(str(reference)), ignore_history=True)
    assert got.keys() == want.keys()
    for table in want:
        assert got[table] == want[table], table
    assert open_db(str(db)).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def wait_for_requests(server, count: int, timeout: float = 120) -> None:
    """Until the demo server has answered ``count`` requests: mid-crawl."""
    deadline = time.monotonic() + timeout
    while len(server.paths_served) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def start_crawl(redis_url: str, prefix: str, network, tmp_path: Path, workers: int = 2,
                lease: float | None = None):
    """A writer and ``workers`` workers on the served demo network: (server, db, writer, workers)."""
    server, registry_file = network
    db = tmp_path / "archive.db"
    writer = ingest(redis_url, prefix, db, registry_file)
    return server, db, writer, [worker(redis_url, prefix, server, lease=lease) for _ in range(workers)]


def fetched_twice(server) -> dict[str, int]:
    """URLs fetched more than once, but robots.txt (each worker reads it)."""
    counts = collections.Counter(server.paths_served)
    return {url: n for url, n in counts.items() if n > 1 and not url.endswith("/robots.txt")}


def test_two_workers_and_one_writer_build_the_single_process_archive(redis_url, prefix, network, first_crawl,
                                                                     tmp_path):
    server, db, writer, workers = start_crawl(redis_url, prefix, network, tmp_path)
    summaries = [finish(w) for w in workers]
    out = finish(writer)
    assert "ingest run 1 finished" in out
    handed = [int(s.split(" pages and")[0].rsplit(" ", 1)[1]) for s in summaries]
    assert all(n > 0 for n in handed), summaries  # both workers did part of the work
    assert fetched_twice(server) == {}, "no URL fetched twice across workers"
    assert_same_archive(db, first_crawl)
    downloaded = sum(int(s.split(" bytes downloaded")[0].rsplit(" ", 1)[1]) for s in summaries)
    with open_db(str(db)).conn as conn:
        counts = json.loads(conn.execute("SELECT counts FROM crawl_runs").fetchone()[0])
    assert counts["bytes_downloaded"] == downloaded > 0  # what every worker downloaded, counted once


def test_a_worker_killed_mid_crawl_loses_nothing(redis_url, prefix, network, first_crawl, tmp_path):
    server, db, writer, (doomed, survivor) = start_crawl(redis_url, prefix, network, tmp_path, lease=4)
    wait_for_requests(server, 150)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    finish(survivor)
    finish(writer)
    assert_same_archive(db, first_crawl)


def test_the_writer_killed_and_restarted_resumes_without_duplicates(redis_url, prefix, network, first_crawl,
                                                                     tmp_path):
    server, db, writer, workers = start_crawl(redis_url, prefix, network, tmp_path)
    wait_for_requests(server, 200)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    restarted = ingest(redis_url, prefix, db, network[1])
    for w in workers:
        finish(w)
    out = finish(restarted)
    assert "ingest run 1 finished" in out
    assert_same_archive(db, first_crawl)
    with open_db(str(db)).conn as conn:
        urls = conn.execute("SELECT url, COUNT(*) FROM fetches GROUP BY url HAVING COUNT(*) > 1").fetchall()
    assert urls == [], f"each page written once\n{_said()}"


def test_redis_down_is_a_clear_error_not_a_hang(tmp_path):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    for args in (["crawl", "--redis", dead], ["ingest", "--redis", dead, "--db", str(tmp_path / "a.db")]):
        began = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "govcrawl.cli", *args], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2
        assert "cannot reach Redis" in result.stderr and "Traceback" not in result.stderr
        assert time.monotonic() - began < 30


def test_a_worker_leaves_when_the_writer_has_closed_the_run(redis_url, prefix):
    """The writer may close the run (and clear its keys) between two idle checks of a
    worker: the worker must then leave, not wait for a run that no longer exists."""
    import redis

    from govcrawl.crawl.distributed import frontier as distributed

    server = redis.Redis.from_url(redis_url)
    keys = distributed.Keys(prefix)
    server.hset(keys.run, mapping={"run_id": 7, "started": "2026-01-01T00:00:00", "seeded": 1})
    server.zadd(keys.leases, {"1": time.time() + 600})  # another worker's request, still in progress
    idle = start("crawl", "--redis", redis_url, "--redis-prefix", prefix, "--no-delay")
    time.sleep(8)  # at least one idle check that sees the lease and stays
    assert idle.poll() is None, "stays while another worker holds a lease"
    distributed.clear_crawl_state(server, keys)
    out = finish(idle, timeout=30)
    assert "worker finished" in out


def test_a_request_marked_seen_is_always_queued_with_it(redis_url, prefix):
    """The duplicate filter and the queue change in one step (a worker killed between
    the two used to leave a request seen but queued nowhere: never fetched)."""
    import redis
    from scrapy import Request

    from govcrawl.crawl.distributed import frontier as distributed
    from govcrawl.crawl.spiders.annual_reports import AnnualReportsSpider

    server = redis.Redis.from_url(redis_url)
    keys = distributed.Keys(prefix)
    queue = distributed.LeasedQueue(server, AnnualReportsSpider(portals=[]), keys.queue)
    page, listing = Request("http://www.a.gov.test/r/1.html"), Request("http://www.a.gov.test/", priority=10)
    assert queue.push_unseen(page, keys.dupefilter, "fp-page")
    assert not queue.push_unseen(page, keys.dupefilter, "fp-page")  # seen: not queued twice
    assert queue.push_unseen(listing, keys.dupefilter, "fp-listing")
    assert queue.push_unseen(listing, keys.dupefilter, None)  # dont_filter: always queued
    assert server.smembers(keys.dupefilter) == {b"fp-page", b"fp-listing"}
    assert server.zcard(keys.queue) == 2  # the listing twice is one member: one entry
    assert queue.pop().url == listing.url  # priority first


def test_a_distributed_recrawl_proves_gone_what_a_single_process_one_does(redis_url, prefix, demo_cache,
                                                                        second_crawl, first_crawl, tmp_path):
    """A year later (epoch 2), the writer asks the workers for the sources the listings no
    longer show, and marks gone exactly what the single-process re-crawl marks gone."""
    root = epoch_root(demo_cache, 2)
    server = serve_in_thread(root)
    try:
        registry_file = tmp_path / "portals.yml"
        demo_registry(root, registry_file)
        db = tmp_path / "archive.db"
        shutil.copy(first_crawl, db)
        writer = ingest(redis_url, prefix, db, registry_file)
        workers = [worker(redis_url, prefix, server) for _ in range(2)]
        for process in [*workers, writer]:
            finish(process)
    finally:
        server.shutdown()
    query = "SELECT agency, year, gone_at IS NOT NULL FROM reports ORDER BY agency, year"
    with sqlite3.connect(db) as got, sqlite3.connect(second_crawl) as want:
        gone = [r[:2] for r in got.execute(query) if r[2]]
        assert gone and gone == [r[:2] for r in want.execute(query) if r[2]]
        assert got.execute("SELECT DISTINCT status FROM portal_runs WHERE run_id = 2").fetchall() == [("complete",)]
