"""Shared test helpers: fixture paths, the shared real-report material, running the CLI."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = Path(__file__).parent / "files"
SHARED = ROOT.parent / "shared"


def fixture_bytes(name: str) -> bytes:
    """The one way tests read a frozen fixture: its exact bytes."""
    return (FILES / name).read_bytes()


def fixture_response(url: str, name: str | None = None, body: bytes = b"", status: int = 200,
                     headers: dict[str, str] | None = None, meta: dict | None = None):
    """The one way tests turn a frozen fixture (or a literal body) into a Scrapy response
    to ``url``, with its request carrying ``meta``."""
    from scrapy import Request
    from scrapy.http import HtmlResponse

    request = Request(url, meta=dict(meta or {}))
    return HtmlResponse(url, status=status, body=fixture_bytes(name) if name else body,
                        headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})}, request=request)


HISTORY_COLUMNS = ("first_seen", "last_seen", "gone_at", "last_fetch_id", "status")


def snapshot(db, ignore_history: bool = False) -> dict[str, list]:
    """The derived tables (and the search rows) as sorted rows, to compare two archives or
    two rebuilds.  ``ignore_history`` leaves out when things were seen and how the last
    fetch answered (200 or 304), which differ between two crawls of the same pages."""
    from govcrawl.archive import schema

    out = {}
    # What researchers see: the storage keyed by integer version ids (which differ between two
    # archives built in another order) through its views.
    storage = [t for t in schema.DERIVED_TABLES if t != "versions" and "vid" in {c.name for c in db[t].columns}]
    for table in (*[t for t in schema.DERIVED_TABLES if t not in storage], *(v.name for v in schema.VIEWS),
                  "report_search"):
        columns = [c.name for c in db[table].columns if c.name not in ("id", "vid")]
        if ignore_history:
            columns = [c for c in columns if c not in HISTORY_COLUMNS]
        quoted = ", ".join(f'"{c}"' for c in columns)
        out[table] = sorted(tuple(r) for r in db.execute(f"SELECT {quoted} FROM {table}").fetchall())
    return out


def reextract(db, workers: int = 0) -> dict[str, int]:
    """`govcrawl reextract` on an open archive, its pages read by the extractor's pool."""
    from govcrawl.archive.replay import reextract as replay
    from govcrawl.extract.pool import PoolReader

    return replay(db, PoolReader(workers))


def fixture_expected(name: str) -> dict:
    return json.loads((FILES / f"{name}.expected.json").read_text(encoding="utf-8"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared/, or skip the test cleanly where the material is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared material not available: {'/'.join(parts)}")
    return path


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `govcrawl ARGS` in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "govcrawl.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


# --- the demo network, generated once and crawled once per test session -----------------

def govcrawl(cache: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `govcrawl ARGS` in a subprocess with the demo network cached under ``cache``."""
    env = {**os.environ, "GOVCRAWL_CACHE": str(cache)}
    return subprocess.run([sys.executable, "-m", "govcrawl.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env=env)


def epoch_root(cache: Path, epoch: int) -> Path:
    """Where `govcrawl demo` (with GOVCRAWL_CACHE=cache) finds the network of an epoch."""
    from govcrawl.demo import network

    return network.cached_path(epoch, cache=cache)


def demo_registry(root: Path, registry_file: Path) -> dict:
    """Copy the registry of a demo network (its epoch ``root``) to ``registry_file``; its manifest."""
    from govcrawl.demo import network

    shutil.copy(root / network.REGISTRY, registry_file)
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(db_path) as db:
        return db.execute(sql, params).fetchall()


def manifest(cache: Path, epoch: int) -> dict:
    return json.loads((epoch_root(cache, epoch) / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_cache(tmp_path_factory) -> Path:
    from govcrawl.demo import network

    path = tmp_path_factory.mktemp("cache")
    for epoch in (1, 2):
        network.generate(epoch_root(path, epoch), epoch)
    return path


@pytest.fixture(scope="session")
def first_crawl(demo_cache, tmp_path_factory) -> Path:
    """An archive of one crawl of the demo network (epoch 1); copy it before writing."""
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    result = govcrawl(demo_cache, "demo", "--db", str(db))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "crawl run 1 finished" in result.stdout
    snapshot = tmp_path_factory.mktemp("snap") / "epoch1.db"
    shutil.copy(db, snapshot)
    return snapshot


@pytest.fixture(scope="session")
def second_crawl(demo_cache, first_crawl, tmp_path_factory) -> Path:
    """The epoch-1 archive re-crawled a year later (epoch 2); copy it before writing."""
    db = tmp_path_factory.mktemp("crawl2") / "archive.db"
    shutil.copy(first_crawl, db)
    result = govcrawl(demo_cache, "demo", "--epoch", "2", "--keep", "--db", str(db))
    assert result.returncode == 0, result.stderr[-3000:]
    return db
