"""Extraction in worker processes: same records, and a dying worker does not stop the run."""

from __future__ import annotations

import asyncio
import os
import shutil

from govcrawl.archive.schema import open_db
from govcrawl.extract.page import read_page
from govcrawl.extract.pool import CRASHED, ExtractionPool
from govcrawl.extract.record import extract_bytes

from conftest import fixture_bytes, reextract, snapshot

DEATH = b"kill the worker"


def dies_on_request(body: bytes, url: str, kind: str = "report"):
    """A worker's function that dies, as one would on a pathological file."""
    if body == DEATH:
        os._exit(1)
    return read_page(body, url, kind)


HANG, HOG = b"hang on this file", b"eat memory on this file"


def misbehaves_on_request(body: bytes, url: str, kind: str = "report"):
    """A worker's function that hangs or eats memory on a marked file, as a reader might."""
    if body == HANG:
        import time

        time.sleep(600)
    if body == HOG:
        try:
            hoard = bytearray(8 * 1024 ** 3)
            return None, f"allocated {len(hoard)}", []
        except MemoryError:
            return None, "out of memory", []
    return read_page(body, url, kind)


def test_a_file_over_its_time_has_its_worker_replaced_and_the_others_go_on():
    pool = ExtractionPool(2, function=misbehaves_on_request, timeout=3)
    page = fixture_bytes("r2019-utf8.html")

    async def run():
        return await asyncio.gather(pool.extract(page, "a.html"), pool.extract(HANG, "hang.html"),
                                    pool.extract(page, "b.html"), pool.extract(page, "c.html"))

    try:
        first, hung, *rest = asyncio.run(run())
        assert hung[0] is None and "timed out after 3 s" in hung[1]
        assert first[0] is not None and all(r[0] is not None for r in rest)
        blocking = pool.result(pool.submit(HANG, "hang.html"), HANG, "hang.html")
        assert "timed out" in blocking[1]
        assert pool.result(pool.submit(page, "d.html"), page, "d.html")[0] is not None
    finally:
        pool.close()


def test_a_worker_has_a_memory_limit():
    pool = ExtractionPool(1, function=misbehaves_on_request, memory_mb=1024)
    try:
        assert pool.result(pool.submit(HOG, "hog.html"), HOG, "hog.html") == (None, "out of memory", [])
    finally:
        pool.close()


def test_workers_give_the_records_extraction_gives():
    pool = ExtractionPool(2)
    try:
        names = ["r2019-utf8.html", "r2021-gbk-undeclared.html", "legacy-2017.html"]
        futures = [pool.submit(fixture_bytes(n), n) for n in names]
        got = [pool.result(f, fixture_bytes(n), n) for f, n in zip(futures, names, strict=True)]
        assert got == [(extract_bytes(fixture_bytes(n), n), None, []) for n in names]
        assert pool.result(pool.submit(b"\x00\x01 not a page", "x.bin"), b"", "x.bin")[0] is None
    finally:
        pool.close()


def test_a_dying_worker_costs_its_page_only():
    pool = ExtractionPool(1, function=dies_on_request)
    page = fixture_bytes("r2019-utf8.html")

    async def run():
        return await asyncio.gather(pool.extract(page, "a.html"), pool.extract(DEATH, "bad.html"),
                                    pool.extract(page, "b.html"))

    try:
        first, bad, last = asyncio.run(run())
        assert bad == (None, CRASHED, [])
        assert first[0] is not None and last[0] is not None  # tried again in a fresh pool
        assert pool.result(pool.submit(DEATH, "bad.html"), DEATH, "bad.html") == (None, CRASHED, [])
        assert pool.result(pool.submit(page, "a.html"), page, "a.html") == first  # the pool goes on
    finally:
        pool.close()


def test_reextract_in_worker_processes_writes_the_same_rows(first_crawl, tmp_path):
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    shutil.copy(first_crawl, serial)
    shutil.copy(first_crawl, parallel)
    reextract(open_db(str(serial)), workers=0)
    counts = reextract(open_db(str(parallel)), workers=2)
    assert counts["extracted"] > 500
    assert snapshot(open_db(str(parallel))) == snapshot(open_db(str(serial)))


KILLED_OWNER = """
import sys, time
from govcrawl.extract.pool import ExtractionPool
pool = ExtractionPool(2)
futures = [pool.submit(b"<html><body>x</body></html>", "x.html") for _ in range(4)]
[f.result() for f in futures]
print(" ".join(str(pid) for pid in pool._executor._processes), flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    """Alive and not a zombie."""
    from pathlib import Path

    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_leave_when_their_crawl_is_killed():
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    owner = subprocess.Popen([sys.executable, "-c", KILLED_OWNER], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in owner.stdout.readline().split()]
    assert len(workers) == 2
    owner.send_signal(signal.SIGKILL)
    owner.wait(timeout=10)
    deadline = time.monotonic() + 15
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in workers if _running(pid)]
    assert alive == [], "pool workers outlived the killed crawl"
