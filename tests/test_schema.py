"""The schema and its migrations: an older archive opens, is migrated, and then is the
archive a fresh crawl of the same responses makes."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from govcrawl.archive import raw, schema, upkeep, versions
from govcrawl.archive.schema import open_db
from govcrawl.archive.versions import Reading
from govcrawl.crawl.items import PageItem
from govcrawl.extract.page import read_page
from pipelines.store import store_page

from conftest import ROOT, reextract, snapshot

OLD = ROOT / "tests" / "archives" / "schema2.db"  # made by the schema-2 code (commit 9c4a212)


def test_a_new_archive_is_created_at_the_current_version_with_every_table():
    db = open_db("", memory=True)
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {t.name for t in schema.TABLES} <= tables
    assert schema.ensure_db_shape(db) == []  # idempotent: nothing to do the second time


def test_the_old_archive_migrates_to_exactly_the_shape_of_a_new_one(tmp_path):
    copy = tmp_path / "old.db"
    shutil.copy(OLD, copy)
    with sqlite3.connect(copy) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert version < schema.SCHEMA_VERSION or version == 2
    migrated = open_db(str(copy))
    assert migrated.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert migrated.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert schema.shape(migrated.conn) == schema.shape(open_db("", memory=True).conn)


def test_the_migrated_archive_after_reextract_is_a_fresh_crawl_of_the_same_responses(tmp_path):
    copy = tmp_path / "old.db"
    shutil.copy(OLD, copy)
    migrated = open_db(str(copy))
    reextract(migrated)
    fresh = _crawl_again(migrated)
    assert snapshot(migrated) == snapshot(fresh)
    assert snapshot(fresh)["reports"]  # not two empty archives
    gone = fresh.execute("SELECT COUNT(*) FROM reports WHERE gone_at IS NOT NULL").fetchone()[0]
    assert gone == 1 and len(snapshot(fresh)["versions"]) > len(snapshot(fresh)["reports"])


def _crawl_again(old) -> object:
    """A new archive fed the old one's responses through the crawl's stages, in order."""
    db = open_db("", memory=True)
    fetches = {f.id: f for f in raw.iter_fetches(old)}
    events = [(f.fetched_at, 0, f.id) for f in fetches.values()]
    events += [(at, 1, i) for i, at in old.execute("SELECT id, at FROM errors").fetchall()]
    events += [(at, 2, i) for i, at in old.execute("SELECT id, at FROM disappearances").fetchall()]
    for _, kind, key in sorted(events):
        db.execute("BEGIN")
        if kind == 0:
            f = fetches[key]
            headers = json.loads(old.execute("SELECT headers FROM fetches WHERE id = ?", [key]).fetchone()[0])
            body = raw.capture_bytes(old, f.sha256) if f.status == 200 else b""
            item = PageItem(url=f.url, portal_id=f.portal_id or "", kind=f.kind, status=f.status, body=body,
                            headers=headers, fetched_at=f.fetched_at, referer=f.referer,
                            listing_title=f.listing_title)
            if f.status == 200:
                record, reason, links = read_page(body, f.url, f.kind)
                item.reading = Reading(record, reason, attachments=links).identify(f.url)
            store_page(db, item, f.run_id)
        elif kind == 1:
            run_id, url, portal_id, status, reason, at = old.execute(
                "SELECT run_id, url, portal_id, status, reason, at FROM errors WHERE id = ?", [key]).fetchone()
            raw.add_error(db, run_id, url, portal_id, status, reason, at)
        else:
            run_id, url, portal_id, at = old.execute(
                "SELECT run_id, url, portal_id, at FROM disappearances WHERE id = ?", [key]).fetchone()
            db.execute("INSERT INTO disappearances (run_id, url, portal_id, at) VALUES (?,?,?,?)",
                       [run_id, url, portal_id, at])
            versions.apply_disappearance(db, url, at)
        db.conn.commit()
    for row in old.execute("SELECT * FROM portals").fetchall():
        db.execute(f"INSERT INTO portals VALUES ({', '.join('?' * len(row))})", list(row))
    with db.conn:
        upkeep.after_run(db)
    return db


def test_an_archive_from_a_newer_govcrawl_is_refused_not_damaged(tmp_path):
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE reports (report_id TEXT)")
        conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    with pytest.raises(schema.SchemaError, match="newer than this govcrawl"):
        open_db(str(path))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("reports",)]


def test_a_table_changed_without_its_migration_would_not_match(monkeypatch):
    """What the shape test guards: a column added to TABLES reaches new archives only."""
    before = schema.shape(open_db("", memory=True).conn)
    errors = schema.BY_NAME["errors"]
    changed = schema.Table(errors.name, errors.kind, errors.description, (*errors.columns, schema.Column("stage")))
    monkeypatch.setattr(schema, "TABLES", tuple(changed if t.name == "errors" else t for t in schema.TABLES))
    after = schema.shape(open_db("", memory=True).conn)
    assert after["errors"] != before["errors"]
