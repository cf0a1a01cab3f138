"""A real browser on the served archive: headless Chromium types a Chinese query into
Datasette's search box and opens the dashboard.  Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from govcrawl.archive import fulltext

from conftest import ROOT, free_port, rows

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(os.environ.get("GOVCRAWL_ARTIFACTS", ROOT / "test-artifacts"))

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER) and not os.environ.get("CI"),
    reason="Chromium / chromedriver not installed (.ci/run installs them; CI fails instead of skipping)")


@pytest.fixture(scope="module")
def served(first_crawl, tmp_path_factory):
    db = tmp_path_factory.mktemp("served") / "demo.db"
    shutil.copy(first_crawl, db)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "govcrawl.cli", "serve", "--db", str(db), "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise AssertionError(f"govcrawl serve did not start: {server.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.3)
    yield base, db
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--window-size=1280,1400",
                 f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_typing_a_two_character_query_into_the_search_box(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, db = served
    query = "西山"  # one district's reports, and no others
    documents = {rid: fulltext.normalise(fulltext.document(title, text)) for rid, title, text in rows(
        db, "SELECT r.report_id, v.title, v.text FROM reports r JOIN versions v ON v.version_id = r.latest_version_id")}
    expected = {rid for rid, text in documents.items() if query in text}
    assert 0 < len(expected) < len(documents)

    # The table's search box leads to the search page: the count, its breakdowns, the hits.
    browser.get(f"{base}/{db.stem}/report_search")
    box = browser.find_element(By.CSS_SELECTOR, "input[name=_search]")
    box.send_keys(query)
    box.send_keys(Keys.ENTER)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "search-box.png"))
    assert "/-/search?" in browser.current_url
    said = re.search(r"([\d,]+) reports? contains?", browser.find_element(By.TAG_NAME, "body").text)
    assert said and int(said.group(1).replace(",", "")) == len(expected)
    marks = browser.find_elements(By.CSS_SELECTOR, "mark")
    assert marks and {m.text for m in marks} == {query}
    # The search page's own box, then "In the table": Datasette's table, the same count.
    box = browser.find_element(By.CSS_SELECTOR, "input[name=q]")
    box.clear()
    box.send_keys(query)
    box.send_keys(Keys.ENTER)
    browser.find_element(By.LINK_TEXT, "In the table").click()
    heading = browser.find_element(By.CSS_SELECTOR, "h3").text
    assert "_search=" in browser.current_url
    count = int(re.search(r"([\d,]+) rows?", heading).group(1).replace(",", ""))
    assert count == len(expected), heading
    shown = {cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "td.col-report_id")}
    assert shown and shown <= expected


def test_the_dashboard_renders_its_charts(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = served
    browser.get(f"{base}/-/dashboards/overview")
    WebDriverWait(browser, 60).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, ".vega-embed svg, .vega-embed canvas")) >= 4)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "dashboard.png"))
    marks = browser.execute_script(
        "return Array.from(document.querySelectorAll('.vega-embed svg path, .vega-embed canvas')).length")
    assert marks > 4
    assert "requests received per year" in browser.page_source.lower()
