"""The questions researchers ask of the archive, as SQL (Datasette canned queries).

Plain SQL over the archive's tables, so they run in any SQLite client with the named
parameters filled in; only ``search`` needs the project's Datasette plugin (for the
Chinese query rewrite and the snippet).  Deadlines follow report-format.md §1: 31 March
for every report up to 2018; from the 2019 reports on, 31 January for departments and
31 March for governments (乡镇 and 街道 have no statutory deadline; 31 March is used).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    sql: str


_DEADLINE = ("CASE WHEN s.year <= 2018 OR s.level != 'department' THEN printf('%d-03-31', s.year + 1) "
             "ELSE printf('%d-01-31', s.year + 1) END")

QUERIES: tuple[CannedQuery, ...] = (
    CannedQuery(
        "agency_series", "One agency across the years",
        "The headline figures of one agency's reports, year by year (latest version of each).",
        """SELECT year, template, published, "requests.carried_over.total", "requests.new.total",
  "requests.granted.total", "requests.results_total.total", "requests.carried_forward.total",
  "appeals.review.total", "appeals.litigation_direct.total", "appeals.litigation_after_review.total",
  gone_at
FROM report_metrics_wide WHERE agency = :agency ORDER BY year"""),
    CannedQuery(
        "district_year", "All agencies of a district in one year",
        "Every report of one district (district name, portal id or its slug) for one year.",
        """SELECT s.agency, s.level, s.template, s.published, w."requests.new.total",
  w."requests.results_total.total", w."appeals.review.total", s.url
FROM report_search s JOIN report_metrics_wide w ON w.report_id = s.report_id
WHERE (s.portal_id = :district OR s.district = :district OR s.portal_id LIKE '%-' || :district)
  AND s.year = CAST(:year AS INTEGER)
ORDER BY s.level, s.agency"""),
    CannedQuery(
        "not_published", "Units that have not published for a year",
        "Agencies that published a report for the year before and none for this year "
        "(a missing report, or one not yet found by the crawl).",
        """SELECT p.portal_id, p.agency, p.level, CAST(:year AS INTEGER) AS year
FROM report_search p
WHERE p.year = CAST(:year AS INTEGER) - 1
  AND NOT EXISTS (SELECT 1 FROM report_search s WHERE s.agency = p.agency
                  AND s.year = CAST(:year AS INTEGER))
ORDER BY p.portal_id, p.agency"""),
    CannedQuery(
        "late_publications", "Late publications",
        "Reports published after the statutory deadline, with the days late.",
        f"""SELECT s.agency, s.year, s.level, s.published, {_DEADLINE} AS deadline,
  CAST(julianday(s.published) - julianday({_DEADLINE}) AS INTEGER) AS days_late, s.url
FROM report_search s
WHERE s.published IS NOT NULL AND s.published > {_DEADLINE}
ORDER BY days_late DESC, s.agency"""),
    CannedQuery(
        "inconsistent_reports", "Reports whose own numbers don't add up",
        "Failing consistency checks (勾稽关系) of each report's latest version, both sides shown.",
        # The wide table counts each report's failing checks: reports in (agency, year) order
        # from its index, and the checks read only for those with a failure.
        """SELECT w.agency, w.year, c.rule, c."row", c.col, c."left", c."right", w.report_id
FROM report_metrics_wide w JOIN checks c ON c.version_id = w.version_id
WHERE w.checks_failed > 0 AND c.status = 'fail'
ORDER BY w.agency, w.year, c.rule, c."row", c.col"""),
    CannedQuery(
        "revisions", "Revised reports and what changed",
        "Figures that differ between a version and the version it superseded, newest revision first.",
        # Each revision's diff is kept when the revision is stored (changes); the revised
        # versions have their own index in the order they were stored (versions_revisions).
        """SELECT new.first_seen AS revised_at, r.agency, r.year, c.key, c.before, c.after,
  c.old_version_id AS old_version, c.new_version_id AS new_version
FROM versions new
JOIN changes c ON c.new_version_id = new.version_id
JOIN reports r ON r.report_id = new.report_id
WHERE new.supersedes IS NOT NULL
ORDER BY new.vid DESC, c.key"""),
    CannedQuery(
        "carry_over_mismatches", "Carry-over mismatches between years",
        "结转下年度继续办理 of year N against 上年结转 of year N+1, where they differ.",
        """SELECT a.agency, a.year, a."requests.carried_forward.total" AS carried_forward, b.year AS next_year,
  b."requests.carried_over.total" AS next_carried_over,
  b."requests.carried_over.total" - a."requests.carried_forward.total" AS difference
FROM report_metrics_wide a JOIN report_metrics_wide b ON b.agency = a.agency AND b.year = a.year + 1
WHERE a."requests.carried_forward.total" != b."requests.carried_over.total"
ORDER BY a.agency, a.year"""),
    CannedQuery(
        "search", "Full-text search (Chinese)",
        "The newest 100 reports whose text contains every term of the query (two or more characters "
        "each), with the first hit highlighted; the report_search table's search box pages through all.",
        """SELECT s.agency, s.year, s.title, cn_snippet(coalesce(s.title, '') || char(10) || coalesce(v.text, ''), :q)
  AS snippet, s.url, s.report_id
FROM report_search s JOIN versions v ON v.version_id = s.version_id
WHERE s.id IN (SELECT rowid FROM report_search_fts WHERE report_search_fts MATCH escape_fts(:q))
ORDER BY s.id DESC LIMIT 100"""),
)


def by_name(name: str) -> CannedQuery:
    return next(q for q in QUERIES if q.name == name)
