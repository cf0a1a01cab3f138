"""Exports for papers and other tools: the report list, the long and wide metric tables,
and the data dictionary, as CSV, Parquet or JSON Lines.

Each export directory carries ``schema.json`` (every file's columns and their types), so
:func:`read_table` — or any reader that honours it — gets back exactly what was
exported: integers as integers, figures as floats, empty CSV fields as NULL.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from govcrawl.extract import keys as K
from govcrawl.research import catalog

FORMATS = ("csv", "parquet", "jsonl")

_REPORTS_SQL = """SELECT r.report_id, r.agency, r.year, r.template, s.level, s.portal_id, s.province,
  s.district, r.title, r.published, r.first_seen, r.last_seen, r.gone_at, r.versions, r.latest_version_id,
  s.url FROM reports r LEFT JOIN report_search s ON s.report_id = r.report_id ORDER BY r.agency, r.year"""
_LONG_SQL = """SELECT r.report_id, r.agency, r.year, m.key, m.value, m.derived_from
FROM reports r JOIN metrics m ON m.version_id = r.latest_version_id ORDER BY r.agency, r.year, m.key"""

_TYPES = {"year": "integer", "versions": "integer", "value": "float"}


def _wide_sql() -> str:
    columns = ", ".join(f'"{k.key}"' for k in K.all_keys())
    return (f"SELECT report_id, agency, year, template, published, gone_at, {columns} "
            "FROM report_metrics_wide ORDER BY agency, year")


def tables(db: sqlite_utils.Database) -> dict[str, tuple[list[str], list[str], Iterator[tuple]]]:
    """name → (columns, types, rows) of everything exported."""
    out = {}
    for name, sql in (("reports", _REPORTS_SQL), ("metrics_long", _LONG_SQL), ("metrics_wide", _wide_sql())):
        cursor = db.execute(sql)
        columns = [d[0] for d in cursor.description]
        types = [_TYPES.get(c, "float" if c in _KEY_SET else "text") for c in columns]
        out[name] = (columns, types, iter(cursor))
    rows = catalog.dictionary()
    columns = list(rows[0])
    out["dictionary"] = (columns, ["text"] * len(columns), iter([tuple(r.values()) for r in rows]))
    return out


_KEY_SET = {k.key for k in K.all_keys()}


def export(db: sqlite_utils.Database, out: Path, fmt: str) -> dict[str, int]:
    """Write every table to ``out`` in ``fmt``; returns rows written per table."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    schema: dict[str, Any] = {}
    for name, (columns, types, rows) in tables(db).items():
        path = out / f"{name}.{fmt}"
        counts[name] = _WRITERS[fmt](path, columns, types, rows)
        schema[path.name] = {"columns": columns, "types": types, "rows": counts[name]}
    (out / "schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "dictionary.md").write_text(catalog.dictionary_markdown(), encoding="utf-8")
    if fmt != "csv":  # the dictionary is for people too: always as CSV as well
        columns, types, rows = tables(db)["dictionary"]
        _write_csv(out / "dictionary.csv", columns, types, rows)
    return counts


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2 ** 53 else repr(value)
    return str(value)


def _write_csv(path: Path, columns: list[str], types: list[str], rows: Iterator[tuple]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # the BOM lets Excel read UTF-8
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
            count += 1
    return count


def _write_jsonl(path: Path, columns: list[str], types: list[str], rows: Iterator[tuple]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) + "\n")
            count += 1
    return count


_ARROW = {"integer": "int64", "float": "float64", "text": "string"}


def _write_parquet(path: Path, columns: list[str], types: list[str], rows: Iterator[tuple]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, getattr(pa, _ARROW[t])()) for c, t in zip(columns, types, strict=True)])
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 20000:
                writer.write_table(pa.Table.from_pylist([dict(zip(columns, r, strict=True)) for r in batch], schema))
                count += len(batch)
                batch = []
        writer.write_table(pa.Table.from_pylist([dict(zip(columns, r, strict=True)) for r in batch], schema))
        count += len(batch)
    return count


_WRITERS = {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet}


def read_table(path: Path) -> tuple[list[str], list[tuple]]:
    """Read an exported file back with the types of its schema.json."""
    schema = json.loads((path.parent / "schema.json").read_text(encoding="utf-8"))
    entry = schema.get(path.name) or {"columns": None, "types": None}
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        return table.column_names, [tuple(r.values()) for r in table.to_pylist()]
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        return entry["columns"], [tuple(r[c] for c in entry["columns"]) for r in records]
    cast = {"integer": int, "float": float, "text": str}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        columns = next(reader)
        types = entry["types"] or ["text"] * len(columns)
        rows = [tuple(None if v == "" else cast[t](v) for v, t in zip(row, types, strict=True)) for row in reader]
    return columns, rows
