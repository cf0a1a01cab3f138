"""`govcrawl extract` (one file → its report record) and `govcrawl sample-report`."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import click

from govcrawl.cli.errors import BadInput
from govcrawl.extract.errors import ExtractionError

MAX_INPUT_BYTES = 64 * 1024 * 1024  # no report is larger; bigger files are refused unread


@click.command("extract")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report record as JSON.")
@click.option("--media-type", default=None,
              help="Override the detected media type (text/html, text/plain).")
def extract_command(file: Path, as_json: bool, media_type: str | None) -> None:
    """Extract the report record from one file (HTML, text, PDF or DOCX).

    Example: govcrawl extract report.html --json
    """
    from govcrawl.extract.record import extract_bytes

    try:
        status = file.stat()
        if not stat.S_ISREG(status.st_mode):  # a FIFO or a device would block or never end
            raise BadInput(f"{file}: not a regular file")
        size = status.st_size
        if size > MAX_INPUT_BYTES:
            raise BadInput(f"{file}: file too large ({size} bytes > {MAX_INPUT_BYTES})")
        data = file.read_bytes()
    except OSError as exc:
        raise BadInput(f"{file}: cannot read ({exc.strerror or exc})") from None
    try:
        record = extract_bytes(data, str(file), media_type)
    except ExtractionError as exc:
        raise BadInput(f"{file}: {exc.reason}") from None
    except RecursionError:
        raise BadInput(f"{file}: markup nested too deeply") from None
    except MemoryError:
        raise BadInput(f"{file}: too large to process") from None
    except Exception as exc:  # a bug must not become a traceback for the user
        if os.environ.get("GOVCRAWL_DEBUG"):
            raise
        raise BadInput(f"{file}: internal error ({type(exc).__name__}: {exc})") from None
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        click.echo(summary(record))


def summary(record: dict[str, Any]) -> str:
    """A readable digest of a record: who, when, which template, key figures, failed checks."""
    m = record["metrics"]
    contact = record["contact"]

    def fig(key: str) -> str:
        value = m.get(key)
        return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    counts: dict[str, int] = {}
    for cell in record["cells"]:
        counts[cell["table"]] = counts.get(cell["table"], 0) + 1
    statuses = {"pass": 0, "fail": 0, "not_assessable": 0}
    for check in record["checks"]:
        statuses[check["status"]] += 1
    contact_parts = [f"{k} {v}" for k, v in contact.items() if v and k != "agency"]
    lines = [
        f"file       {record['source']['path']} ({record['source']['media_type']})",
        f"title      {record['title'] or '—'}",
        f"agency     {record['agency'] or '—'}",
        f"year       {record['year'] or '—'}   template {record['template'] or '—'}",
        f"period     {record['period_start'] or '?'} – {record['period_end'] or '?'}"
        f"   published {record['published'] or '—'}",
        f"contact    {contact['agency'] or '—'}" + (f" ({'; '.join(contact_parts)})"
                                                    if contact_parts else ""),
        f"requests   new {fig('requests.new.total')} · carried over "
        f"{fig('requests.carried_over.total')} · handled {fig('requests.results_total.total')}"
        f" · carried forward {fig('requests.carried_forward.total')}",
        f"appeals    reviews {fig('appeals.review.total')} · suits direct "
        f"{fig('appeals.litigation_direct.total')} · after review "
        f"{fig('appeals.litigation_after_review.total')}",
        "cells      " + (", ".join(f"{t} {n}" for t, n in sorted(counts.items())) or "none"),
        "sections   " + (" ".join(str(s["number"]) for s in record["sections"]) or "none"),
        f"checks     {statuses['pass']} pass, {statuses['fail']} fail, "
        f"{statuses['not_assessable']} not assessable",
    ]
    for check in record["checks"]:
        if check["status"] == "fail":
            where = ".".join(p for p in (check.get("row"), check.get("col")) if p)
            lines.append(f"  FAIL     {check['rule']} [{where}]: {check['left']} ≠ {check['right']}")
    for warning in record["warnings"]:
        lines.append(f"warning    {warning}")
    return "\n".join(lines)


@click.command("sample-report")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path),
                default="sample-report.html")
@click.option("--template", type=click.Choice(["2019", "2021", "legacy"]), default="2021")
@click.option("--encoding", type=click.Choice(["utf-8", "gbk", "gb18030"], case_sensitive=False), default="utf-8",
              show_default=True, help="The encodings reports are published in.")
@click.option("--seed", default=2020, show_default=True, type=int)
def sample_report_command(out: Path, template: str, encoding: str, seed: int) -> None:
    """Write a generated annual report (HTML, or flattened text for a .txt name).

    Example: govcrawl sample-report report.html --template 2019 --encoding gbk
    """
    from govcrawl.demo import samples

    spec = samples.sample_spec(seed=seed, template=template)
    try:
        if out.suffix.lower() == ".txt":
            out.write_text(samples.render_text(spec), encoding=encoding)
        else:
            out.write_bytes(samples.render_html(spec, encoding=encoding))
    except OSError as exc:
        raise BadInput(f"{out}: cannot write ({exc.strerror or exc})") from None
    click.echo(f"wrote {out} ({spec.report_title})")


COMMANDS = (extract_command, sample_report_command)
