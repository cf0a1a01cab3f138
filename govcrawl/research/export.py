"""Exports for papers and other tools: the report list, the long and wide metric tables,
and the data dictionary, as CSV, Parquet or JSON Lines.

Each export directory is a Frictionless data package: ``datapackage.json`` names every
file with its columns, their types (dates as dates, counts as integers, money as
numbers) and what they mean, so pandas, R, ``frictionless validate`` and
:func:`read_table` get back exactly what was exported.  Every row carries where the
report is from (portal, division code, province, city, district, level): a district is
grouped by its division code, never by a name two districts share.  Metric columns of
the wide table have safe names (``requests__new__total``); the dictionary maps each to its
canonical key.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from govcrawl.extract import keys as K
from govcrawl.research import catalog

FORMATS = ("csv", "parquet", "jsonl")
PLACE = ("portal_id", "division_code", "province", "city", "district", "level")
_PLACE_SQL = ", ".join(f"r.{c}" for c in PLACE)

_REPORTS_SQL = f"""SELECT r.report_id, r.agency, r.year, r.template, {_PLACE_SQL}, r.title, r.published,
  r.first_seen, r.last_seen, r.gone_at, r.versions, r.latest_version_id, s.url
FROM reports r LEFT JOIN report_search s ON s.report_id = r.report_id ORDER BY r.agency, r.year, r.report_id"""
_LONG_SQL = f"""SELECT r.report_id, r.agency, r.year, {_PLACE_SQL}, m.key, m.value, m.derived_from
FROM reports r JOIN metrics m ON m.version_id = r.latest_version_id ORDER BY r.agency, r.year, r.report_id, m.key"""


def column_name(key: str) -> str:
    """The wide table's column for a canonical key: letters, digits and underscores only."""
    return key.replace(".", "__")


_KEYS = K.all_keys()
_UNIT = {k.key: k.unit for k in _KEYS}
assert len({column_name(k.key) for k in _KEYS}) == len(_KEYS)  # the mapping is one to one

_DESCRIPTIONS = {
    "report_id": "Stable id of the report (agency and year)", "agency": "Reporting agency as printed",
    "year": "Year reported on", "template": "Layout: legacy, 2019 or 2021",
    "portal_id": "The portal the report is published on", "division_code":
    "Administrative division code of the portal (GB/T 2260): group districts by it",
    "province": "Province", "city": "City", "district": "District or county",
    "level": "government, department or street", "title": "Title as published",
    "published": "Publication date", "first_seen": "First crawled (UTC)", "last_seen": "Last seen (UTC)",
    "gone_at": "When it disappeared from its portal (UTC)", "versions": "Versions seen",
    "latest_version_id": "The version shown", "url": "Where the latest version is served",
    "key": "Canonical key (see the dictionary)", "value": "The figure (counts; fees in 万元; procurement in 元)",
    "derived_from": "'text' when read from prose rather than a table",
}
# Frictionless field types of the columns that are not text.
_TYPES = {"year": "integer", "versions": "integer", "published": "date", "first_seen": "datetime",
          "last_seen": "datetime", "gone_at": "datetime", "value": "number"}


def _wide_sql() -> str:
    columns = ", ".join(f'w."{k.key}" AS {column_name(k.key)}' for k in _KEYS)
    place = ", ".join(f"w.{c}" for c in PLACE)
    return (f"SELECT w.report_id, w.agency, w.year, w.template, {place}, w.published, w.gone_at, {columns} "
            "FROM report_metrics_wide w ORDER BY w.agency, w.year, w.report_id")


def _field_type(table: str, column: str) -> str:
    if table == "metrics_wide" and "__" in column:
        return "integer" if _UNIT[column.replace("__", ".")] == "count" else "number"
    return _TYPES.get(column, "string")


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None


def _datetime(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _integer(value: Any) -> int | None:
    """A count: exported as an integer, never rounded (a fraction in a count is an error)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = float(value) if "." in value else int(value)
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"a count with a fraction ({value}): not exported as an integer")
    return int(value)


_CONVERT: dict[str, Callable[[Any], Any]] = {"date": _date, "datetime": _datetime, "integer": _integer,
                                             "number": lambda v: None if v is None else float(v),
                                             "string": lambda v: v}


def tables(db: sqlite_utils.Database) -> dict[str, tuple[list[str], list[str], Iterator[tuple]]]:
    """name → (columns, Frictionless types, rows typed as Python values) of everything exported."""
    out = {}
    for name, sql in (("reports", _REPORTS_SQL), ("metrics_long", _LONG_SQL), ("metrics_wide", _wide_sql())):
        cursor = db.execute(sql)
        columns = [d[0] for d in cursor.description]
        types = [_field_type(name, c) for c in columns]
        out[name] = (columns, types, _typed(cursor, [_CONVERT[t] for t in types]))
    rows = dictionary()
    columns = list(rows[0])
    out["dictionary"] = (columns, ["string"] * len(columns), iter([tuple(r.values()) for r in rows]))
    return out


def _typed(rows: Iterator[tuple], converters: list[Callable[[Any], Any]]) -> Iterator[tuple]:
    for row in rows:
        yield tuple(f(v) for f, v in zip(converters, row, strict=True))


def dictionary() -> list[dict[str, str]]:
    """The data dictionary, with each key's column in the wide export."""
    return [{**row, "column": column_name(row["key"])} for row in catalog.dictionary()]


def export(db: sqlite_utils.Database, out: Path, fmt: str, progress: Callable[[int], None] | None = None
           ) -> dict[str, int]:
    """Write every table to ``out`` in ``fmt`` with its datapackage.json; returns rows per table."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    resources = []
    for name, (columns, types, rows) in tables(db).items():
        path = out / f"{name}.{fmt}"
        counts[name] = _WRITERS[fmt](path, columns, types, _counted(rows, progress))
        resources.append(_resource(name, path.name, fmt, columns, types, counts[name]))
    package = {
        "profile": "tabular-data-package", "name": "govcrawl-annual-reports",
        "title": catalog.TITLE, "description": "Government information-disclosure annual reports "
        "(政府信息公开工作年度报告): the report list, their figures long and wide, the data dictionary.",
        "licenses": [{"name": "CC-BY-4.0", "path": catalog.LICENSE_URL, "title": catalog.LICENSE}],
        "sources": [{"title": catalog.SOURCE, "path": catalog.PROJECT_URL}],
        "resources": resources,
    }
    (out / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "dictionary.md").write_text(catalog.dictionary_markdown(), encoding="utf-8")
    if fmt != "csv":  # the dictionary is for people too: always as CSV as well
        columns, types, rows = tables(db)["dictionary"]
        _write_csv(out / "dictionary.csv", columns, types, rows)
    return counts


def _counted(rows: Iterator[tuple], progress: Callable[[int], None] | None) -> Iterator[tuple]:
    for row in rows:
        if progress:
            progress(1)
        yield row


def _resource(name: str, path: str, fmt: str, columns: list[str], types: list[str], count: int) -> dict[str, Any]:
    fields = []
    for column, type_ in zip(columns, types, strict=True):
        field: dict[str, Any] = {"name": column, "type": type_}
        key = column.replace("__", ".")
        if name == "metrics_wide" and key in _UNIT:
            field["description"] = f"{key} (unit: {_UNIT[key]}; see the dictionary)"
        elif column in _DESCRIPTIONS:
            field["description"] = _DESCRIPTIONS[column]
        fields.append(field)
    resource: dict[str, Any] = {"name": name, "path": path, "profile": "tabular-data-resource", "format": fmt,
                                "schema": {"fields": fields}, "count": count}
    if fmt == "csv":
        resource.update({"encoding": "utf-8-sig", "mediatype": "text/csv"})
    elif fmt == "jsonl":
        resource.update({"encoding": "utf-8", "mediatype": "application/x-ndjson"})
    else:
        resource["mediatype"] = "application/vnd.apache.parquet"
    if name in ("reports", "metrics_wide"):
        resource["schema"]["primaryKey"] = ["report_id"]
    elif name == "metrics_long":
        resource["schema"]["primaryKey"] = ["report_id", "key"]
    elif name == "dictionary":
        resource["schema"]["primaryKey"] = ["key"]
    return resource


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2 ** 53 else repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, columns: list[str], types: list[str], rows: Iterator[tuple]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # the BOM lets Excel read UTF-8
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_text(v) for v in row])
            count += 1
    return count


def _write_jsonl(path: Path, columns: list[str], types: list[str], rows: Iterator[tuple]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            record = {c: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v)
                      for c, v in zip(columns, row, strict=True)}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def _arrow_type(type_: str) -> Any:
    import pyarrow as pa

    return {"integer": pa.int64(), "number": pa.float64(), "string": pa.string(), "date": pa.date32(),
            "datetime": pa.timestamp("s", tz="UTC")}[type_]


def _write_parquet(path: Path, columns: list[str], types: list[str], rows: Iterator[tuple]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, _arrow_type(t)) for c, t in zip(columns, types, strict=True)])
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
    """Read an exported file back with the types its datapackage.json gives."""
    package = json.loads((path.parent / "datapackage.json").read_text(encoding="utf-8"))
    resource = next((r for r in package["resources"] if r["path"] == path.name), None)
    if resource is None:  # dictionary.csv beside a Parquet or JSON Lines export: all text
        columns, types = None, None
    else:
        columns = [f["name"] for f in resource["schema"]["fields"]]
        types = [f["type"] for f in resource["schema"]["fields"]]
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        return table.column_names, [tuple(r.values()) for r in table.to_pylist()]
    if path.suffix == ".jsonl":
        assert columns is not None and types is not None
        with path.open(encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        converters = [_CONVERT[t] for t in types]
        return columns, [tuple(f(r[c]) for f, c in zip(converters, columns, strict=True)) for r in records]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        kinds = types or ["string"] * len(header)
        converters = [_CONVERT[t] for t in kinds]
        rows = [tuple(None if v == "" else f(v) for f, v in zip(converters, row, strict=True)) for row in reader]
    return header, rows
