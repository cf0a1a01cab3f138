"""The distributed writer's unit of work: a page and its "ingested" mark commit together."""

from __future__ import annotations

from collections import Counter

import pytest

from govcrawl.archive.runs import start_run
from govcrawl.archive.schema import open_db
from govcrawl.archive.versions import Reading
from govcrawl.clock import now_iso
from govcrawl.crawl.distributed import frontier as distributed
from govcrawl.crawl.distributed import ingest
from govcrawl.crawl.items import PageItem
from govcrawl.extract.page import read_page

from conftest import fixture_bytes


class Killed(Exception):
    """Stands for a SIGKILL at one statement."""


def test_a_writer_killed_before_marking_a_page_ingested_has_not_written_it(tmp_path):
    path = str(tmp_path / "archive.db")
    db = open_db(path)
    run_id, _ = start_run(db, ["990101-example"], "ingest")
    url, body = "http://www.example.gov.test/a.html", fixture_bytes("r2019-utf8.html")
    page = PageItem(url=url, portal_id="990101-example", kind="report", status=200, body=body, headers={},
                    fetched_at=now_iso(), reading=Reading.of(*read_page(body, url)[:2], url))
    data = distributed.encode_item(page)
    execute = db.execute

    def dies_at_the_mark(sql, *args, **kwargs):
        if sql.startswith("INSERT INTO ingested"):
            raise Killed
        return execute(sql, *args, **kwargs)

    db.execute = dies_at_the_mark
    with pytest.raises(Killed):
        ingest._apply(db, None, distributed.Keys("t"), data, run_id, Counter())
    fresh = open_db(path)
    assert fresh.execute("SELECT COUNT(*) FROM fetches").fetchone() == (0,), "the page was committed unmarked"
    # The writer restarted applies the same item once: written, and marked.
    db.execute = execute

    class Server:
        def lrem(self, *args):
            pass

    ingest._apply(db, Server(), distributed.Keys("t"), data, run_id, Counter())
    ingest._apply(db, Server(), distributed.Keys("t"), data, run_id, Counter())
    assert fresh.execute("SELECT COUNT(*) FROM fetches").fetchone() == (1,)
    assert fresh.execute("SELECT COUNT(*) FROM ingested").fetchone() == (1,)
