"""External tools (LibreOffice, antiword, pdftoppm, tesseract) run by the readers: each in
its own process group, with a timeout, killed whole when it hangs."""

from __future__ import annotations

import os
import signal
import subprocess


def tool_timeout() -> float:
    return float(os.environ.get("GOVCRAWL_CONVERT_TIMEOUT", "90"))


def run_tool(command: list[str], timeout: float, cwd: str) -> subprocess.CompletedProcess:
    """Run a converter; on timeout kill its whole process group."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, out, err)
