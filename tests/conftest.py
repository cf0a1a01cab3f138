"""Shared test helpers: fixture paths, the shared real-report material, running the CLI."""

from __future__ import annotations

import json
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
