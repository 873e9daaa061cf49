"""Monthly reports under a county-sized record: the public disclosure and the bulletin.

    .venv/bin/python bench/reports.py [--reuse] [--seconds N] [--months 2026-10,2026-06]

Without --reuse, (re)builds PostgreSQL database `bench_visits` with bench/visits.py's build()
(100,000 households, 10,000 cadres, 1,000,000 visits in 2026); with --reuse keeps it. Either
way it migrates the database to head and ANALYZEs it, then, in-process with Flask's test
client, for each month:

  - GET /api/v1/reports/disclosure?village_id=&month= (public) for random villages: JSON
    p50/p99 over the villages (cycled for --seconds), CSV and HTML p50;
  - GET /api/v1/reports/bulletin?month= as a county_admin (a user this script inserts): p50
    over --bulletin-runs runs;

and once: GET /api/v1/reports/evaluation?year= — computing the county's year (the first
reader), then pages of 50 and the whole county's CSV from the kept figures (targets: a page
<= 200 ms, the CSV <= 1 s).

Beside each figure it prints the time the request spent in SQL (client side) and the time
PostgreSQL itself needs for the main queries: EXPLAIN (ANALYZE, BUFFERS) execution time of the
very statements the service sent (captured from the app's engine during a request, with their
parameters), the indexes each plan uses and the plans themselves. A statement marked
"variant" is not the service's SQL: it is the captured statement with one change, to show what
a suggested fix would do. Prints figures and targets (disclosure p50 <= 50 ms, bulletin
<= 2 s) with PASS/MISS; asserts nothing.
"""

import argparse
import os
import platform
import random
import re
import statistics
import sys
import time

import psycopg
from sqlalchemy import event

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench import visits as bench_visits  # noqa: E402
from service import create_app, migrate  # noqa: E402
from service.auth import issue_token  # noqa: E402

DSN, URL = bench_visits.DSN, bench_visits.URL
SECRET = "bench-reports-" + "k" * 40
DISCLOSURE_TARGET_MS, BULLETIN_TARGET_MS = 50.0, 2000.0
EVALUATION_PAGE_TARGET_MS, EVALUATION_CSV_TARGET_MS = 200.0, 1000.0
WATCHED_INDEXES = ("ix_visits_pairing_visited", "ix_visits_direct_visited")

# The main statements, recognised in what the service sends (service/reports/*.py).
DISCLOSURE_QUERIES = {
    "pairings in the village (disclosure.py)":
        lambda s: s.startswith("SELECT pairings.") and "pairings.household_id IN" in s,
    "direct visits per pairing in the month":
        lambda s: "FROM visits" in s and "GROUP BY visits.pairing_id" in s
        and "visits.pairing_id IN" in s,
    "tasks of the households":
        lambda s: re.search(r"FROM tasks\s+WHERE", s) is not None,
}
BULLETIN_QUERIES = {
    "direct visits in the month by pairing (bulletin.py)":
        lambda s: "FROM visits" in s and "GROUP BY visits.pairing_id" in s
        and "visits.pairing_id IN" not in s,
    "pairings overlapping the month":
        lambda s: s.startswith("SELECT pairings.") and "pairings.started_on <=" in s
        and "pairings.household_id IN" not in s,
}
# Should `direct IS true` come back, show the plain-`direct` variant: PostgreSQL < 17 cannot
# prove `direct IS true` matches the partial index `WHERE direct` (the service uses `direct`).
VARIANT = ("visits.direct IS true", "visits.direct")


class Recorder:
    """Every statement the app's engine sends while on: (sql, parameters, client ms)."""

    def __init__(self, engine):
        self.on, self.log = False, []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        context._bench_t0 = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.log.append((statement, parameters,
                             (time.perf_counter() - context._bench_t0) * 1000))

    def run(self, fn):
        """fn() timed, with the statements it sent: (ms, result, log)."""
        self.log, self.on = [], True
        try:
            t0 = time.perf_counter()
            result = fn()
            ms = (time.perf_counter() - t0) * 1000
        finally:
            self.on = False
        return ms, result, self.log


def explain(conn, sql: str, params) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured statement: times, rows, buffers, indexes."""
    plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql,
                        params).fetchone()[0][0]
    indexes, nodes = set(), [plan["Plan"]]
    while nodes:
        node = nodes.pop()
        if "Index Name" in node:
            indexes.add(node["Index Name"])
        nodes.extend(node.get("Plans", []))
    hit, read = plan["Plan"].get("Shared Hit Blocks", 0), plan["Plan"].get("Shared Read Blocks", 0)
    return {"exec": plan["Execution Time"], "plan": plan["Planning Time"],
            "rows": plan["Plan"].get("Actual Rows"), "indexes": indexes, "hit": hit,
            "read": read}


def text_plan(conn, sql: str, params) -> str:
    rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
    return "\n".join("      " + r[0] for r in rows)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, int(len(values) * q) - 1)]


def target(value: float, limit: float) -> str:
    return f"target <= {limit:g} ms: {'PASS' if value <= limit else 'MISS'}"


def find(logs: list, test, label: str) -> list:
    """(sql, params) of the first statement `test` recognises in each log that has one (a
    village without pairings sends no visit or task query)."""
    out = []
    for log in logs:
        hits = [(sql, params) for sql, params, _ in log if test(sql)]
        if hits:
            out.append(hits[0])
    if not out:
        raise RuntimeError(f"no statement recognised as {label!r}: did the service change?")
    return out


def statement_name(sql: str) -> str:
    """A short name for a captured statement: its first table, + "count" for aggregates."""
    table = re.search(r"\bFROM\s+(\w+)", sql)
    return (table.group(1) if table else sql.split()[0]) + (
        " count" if "GROUP BY" in sql else "")


def client_breakdown(logs: list) -> str:
    """p50 client-side ms per statement name, largest first."""
    by: dict[str, list[float]] = {}
    for log in logs:
        seen: dict[str, float] = {}
        for sql, _, ms in log:
            name = statement_name(sql)
            seen[name] = seen.get(name, 0) + ms
        for name, ms in seen.items():
            by.setdefault(name, []).append(ms)
    parts = sorted(((statistics.median(v), k) for k, v in by.items()), reverse=True)
    return ", ".join(f"{k} {ms:.1f}" for ms, k in parts)


def explain_sample(conn, logs: list, tests: dict, plans: bool) -> None:
    """For the main statements: median EXPLAIN ANALYZE times over the captured requests, the
    indexes, a plan, and the variant; then PostgreSQL's time for every statement sent."""
    for label, test in tests.items():
        found = find(logs, test, label)
        runs = [explain(conn, sql, params) for sql, params in found]
        execs = [r["exec"] for r in runs]
        mid = sorted(range(len(runs)), key=lambda i: execs[i])[len(runs) // 2]
        indexes = sorted(set().union(*(r["indexes"] for r in runs)))
        watched = ", ".join(f"{ix} {'yes' if ix in indexes else 'NO'}"
                            for ix in WATCHED_INDEXES)
        print(f"    SQL {label}")
        print(f"        PostgreSQL execution p50 {statistics.median(execs):7.2f} ms "
              f"(max {max(execs):.2f}), planning p50 "
              f"{statistics.median(r['plan'] for r in runs):.2f} ms, rows p50 "
              f"{statistics.median(r['rows'] for r in runs):g}, buffers hit/read "
              f"{runs[mid]['hit']}/{runs[mid]['read']}, n={len(runs)}")
        print(f"        indexes used: {', '.join(indexes) or 'none'}  [{watched}]")
        sql, params = found[mid]
        if plans:
            print(text_plan(conn, sql, params))
        if VARIANT[0] in sql:
            alt = [explain(conn, q.replace(*VARIANT), p) for q, p in found]
            print(f"        variant (not the service's SQL: `{VARIANT[1]}` for `{VARIANT[0]}`):"
                  f" execution p50 {statistics.median(r['exec'] for r in alt):7.2f} ms, "
                  f"indexes used: {', '.join(sorted(set().union(*(r['indexes'] for r in alt))))}")
            if plans:
                print(text_plan(conn, sql.replace(*VARIANT), params))
    totals = [sum(explain(conn, sql, params)["exec"] for sql, params, _ in log
                  if sql.lstrip().upper().startswith("SELECT")) for log in logs]
    print(f"    PostgreSQL execution, all statements of a request (p50 "
          f"{statistics.median(len(log) for log in logs):g}): p50 "
          f"{statistics.median(totals):.2f} ms, n={len(logs)}")


def admin_token(app) -> str:
    """A county_admin account (inserted once) and a bearer token for it."""
    with psycopg.connect(DSN, autocommit=True) as conn:
        uid = conn.execute(
            "INSERT INTO users (username, password_hash, role, unit_id, cadre_id, active, "
            "token_version, created_at, version) VALUES ('bench-reports-admin', '!', "
            "'county_admin', NULL, NULL, true, 1, now(), 1) "
            "ON CONFLICT (username) DO UPDATE SET active = true, role = 'county_admin' "
            "RETURNING id").fetchone()[0]
    from service.users.models import User
    from service.web import get_session

    with app.app_context(), app.test_request_context():
        return issue_token(get_session().get(User, uid))[0]


def machine(conn) -> None:
    version = conn.execute("SHOW server_version").fetchone()[0]
    settings = ", ".join(f"{name} {conn.execute(f'SHOW {name}').fetchone()[0]}"
                         for name in ("shared_buffers", "work_mem", "jit", "autovacuum",
                                      "max_parallel_workers_per_gather"))
    print(f"machine: {platform.node()} {platform.platform()} {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {version} "
          f"({settings}); load average {os.getloadavg()[0]:.2f}")
    counts = conn.execute(
        "SELECT (SELECT count(*) FROM households), (SELECT count(*) FROM cadres), "
        "(SELECT count(*) FROM villages), (SELECT count(*) FROM pairings), "
        "(SELECT count(*) FROM visits), (SELECT count(*) FROM tasks), "
        "(SELECT count(*) FROM demands)").fetchone()
    visible = conn.execute("SELECT relallvisible::float / greatest(relpages, 1), "
                           "pg_size_pretty(pg_relation_size(oid)) FROM pg_class "
                           "WHERE relname = 'visits'").fetchone()
    print("data: " + ", ".join(f"{n:,} {what}" for n, what in zip(counts, (
        "households", "cadres", "villages", "pairings", "visits", "tasks", "demands"),
        strict=True)) + f"; visits heap {visible[1]}, {visible[0]:.0%} all-visible")


def disclosure(app, rec, conn, month: str, villages: list[int], seconds: float,
               explain_n: int, plans: bool) -> float:
    client = app.test_client()

    def get(village_id, fmt="json"):
        response = client.get(f"/api/v1/reports/disclosure?village_id={village_id}"
                              f"&month={month}&format={fmt}")
        assert response.status_code == 200, (response.status_code, response.data[:300])
        return response

    for v in villages[:5]:
        get(v)
    times, sql_ms, sql_n, pairings, logs, all_logs = [], [], [], [], [], []
    deadline = time.perf_counter() + seconds
    i = 0
    while i < len(villages) or time.perf_counter() < deadline:
        village = villages[i % len(villages)]
        ms, response, log = rec.run(lambda v=village: get(v))
        times.append(ms)
        sql_ms.append(sum(x[2] for x in log))
        sql_n.append(len(log))
        if i < len(villages):
            pairings.append(response.json["summary"]["pairings"])
            all_logs.append(log)
        if i < explain_n:
            logs.append(log)
        i += 1
    p50 = statistics.median(times)
    print(f"  GET disclosure JSON, {len(villages)} villages (pairings/village min "
          f"{min(pairings)}, p50 {statistics.median(pairings):g}, max {max(pairings)}):\n"
          f"    p50 {p50:6.1f} ms  p99 {pct(times, .99):6.1f} ms  n={len(times):,}  "
          f"{target(p50, DISCLOSURE_TARGET_MS)}")
    print(f"    in SQL (client side, {statistics.median(sql_n):g} statements): p50 "
          f"{statistics.median(sql_ms):.1f} ms; the rest is Python (ORM, history, schema)")
    print(f"    client ms per statement, p50: {client_breakdown(all_logs)}")
    for fmt in ("csv", "html"):
        times = []
        deadline = time.perf_counter() + max(1.0, seconds / 4)
        i = 0
        while i < 50 or time.perf_counter() < deadline:
            t0 = time.perf_counter()
            get(villages[i % len(villages)], fmt)
            times.append((time.perf_counter() - t0) * 1000)
            i += 1
        print(f"  GET disclosure {fmt.upper():<4}: p50 {statistics.median(times):6.1f} ms  "
              f"p99 {pct(times, .99):6.1f} ms  n={len(times):,}")
    explain_sample(conn, logs, DISCLOSURE_QUERIES, plans)
    return p50


def bulletin(app, rec, conn, month: str, token: str, runs: int, plans: bool) -> float:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def get(fmt="json"):
        response = client.get(f"/api/v1/reports/bulletin?month={month}&format={fmt}",
                              headers=headers)
        assert response.status_code == 200, (response.status_code, response.data[:300])
        return response

    get()
    times, sql_ms, logs = [], [], []
    for _ in range(runs):
        ms, response, log = rec.run(get)
        times.append(ms)
        sql_ms.append(sum(x[2] for x in log))
        logs.append(log)
    units = response.json["units"]
    p50 = statistics.median(times)
    print(f"  GET bulletin JSON ({len(units)} units, {sum(u['pairings'] for u in units):,} "
          f"pairings): p50 {p50:7.1f} ms  min {min(times):7.1f}  max {max(times):7.1f}  "
          f"n={runs}  {target(p50, BULLETIN_TARGET_MS)}")
    print(f"    in SQL (client side, incl. fetching rows, {len(logs[0])} statements): p50 "
          f"{statistics.median(sql_ms):.1f} ms; the rest is Python")
    print(f"    client ms per statement, p50: {client_breakdown(logs)}")
    t0 = time.perf_counter()
    get("csv")
    print(f"  GET bulletin CSV : {(time.perf_counter() - t0) * 1000:7.1f} ms (one run)")
    explain_sample(conn, logs[:3], BULLETIN_QUERIES, plans)
    return p50


def evaluation(app, token: str, year: int, runs: int) -> tuple[float, float]:
    """GET /reports/evaluation: computing the county's year once (what a reader waits for
    when the kept figures are too old), then pages of 50 (first, middle, a unit's) and the
    whole county's CSV from the kept figures."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def get(query: str):
        t0 = time.perf_counter()
        response = client.get(f"/api/v1/reports/evaluation?year={year}&{query}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return (time.perf_counter() - t0) * 1000, response

    with app.app_context():
        from sqlalchemy import delete

        from service.evaluation.models import EvaluationSnapshot
        from service.web import get_session

        get_session().execute(delete(EvaluationSnapshot))
        get_session().commit()
    took, first = get("per_page=50")
    body = first.json
    print(f"\nannual evaluation {year}: {body['total']:,} cadres")
    print(f"  computing the year (first reader, kept afterwards): {took:8.1f} ms")
    unit = body["cadres"][0]["unit_id"]
    pages = []
    for _ in range(runs):
        for query in ("per_page=50&page=1", f"per_page=50&page={body['total'] // 100 + 1}",
                      f"per_page=50&unit_id={unit}"):
            ms, response = get(query)
            pages.append(ms)
    page = statistics.median(pages)
    print(f"  a page of 50 from the kept figures: p50 {page:6.1f} ms  max {max(pages):6.1f}  "
          f"n={len(pages)}  {target(page, EVALUATION_PAGE_TARGET_MS)} "
          f"({len(response.data) / 1e3:.0f} KB)")
    csvs = []
    for _ in range(runs):
        ms, response = get("format=csv")
        csvs.append(ms)
    csv = statistics.median(csvs)
    lines = response.data.count(b"\n") - 1
    print(f"  the whole county's CSV: p50 {csv:6.1f} ms  n={runs}  "
          f"{target(csv, EVALUATION_CSV_TARGET_MS)} ({len(response.data) / 1e6:.1f} MB, "
          f"{lines:,} rows)")
    return page, csv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench_visits")
    parser.add_argument("--seconds", type=float, default=10,
                        help="time to cycle the villages' disclosure JSON (CSV, HTML: 1/4)")
    parser.add_argument("--months", default="2026-10", help="comma-separated YYYY-MM")
    parser.add_argument("--villages", type=int, default=200)
    parser.add_argument("--explain-villages", type=int, default=20,
                        help="villages whose statements are EXPLAIN ANALYZEd")
    parser.add_argument("--bulletin-runs", type=int, default=5)
    parser.add_argument("--evaluation-year", type=int, default=2026)
    parser.add_argument("--evaluation-runs", type=int, default=5)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--no-plans", action="store_true", help="hide the text plans")
    parser.add_argument("--vacuum", action="store_true",
                        help="VACUUM (ANALYZE) instead of ANALYZE, as autovacuum would in "
                        "service (sets the visibility map, so index-only scans become possible)")
    args = parser.parse_args()
    if not args.reuse:
        bench_visits.build(args.visits)
    t0 = time.perf_counter()
    migrate.upgrade(URL)
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)" if args.vacuum else "ANALYZE")
    print(f"migrate to head + {'VACUUM (ANALYZE)' if args.vacuum else 'ANALYZE'}: "
          f"{time.perf_counter() - t0:.1f} s")

    app = create_app({"DATABASE_URL": URL, "SECRET_KEY": SECRET})
    rec = Recorder(app.extensions["db"].engine)
    token = admin_token(app)
    with psycopg.connect(DSN, autocommit=True) as conn:
        machine(conn)
        ids = [r[0] for r in conn.execute("SELECT id FROM villages ORDER BY id")]
        villages = random.Random(2026).sample(ids, min(args.villages, len(ids)))
        results = []
        for month in args.months.split(","):
            direct = conn.execute(
                "SELECT count(*) FILTER (WHERE direct), count(*) FROM visits "
                "WHERE visited_at >= (%s || '-01')::date::timestamp AT TIME ZONE "
                "'Asia/Shanghai' AND visited_at < ((%s || '-01')::date + interval '1 month')"
                "::timestamp AT TIME ZONE 'Asia/Shanghai'", (month, month)).fetchone()
            print(f"\nmonth {month}: {direct[1]:,} visits, {direct[0]:,} direct")
            d = disclosure(app, rec, conn, month, villages, args.seconds,
                           args.explain_villages, not args.no_plans)
            b = bulletin(app, rec, conn, month, token, args.bulletin_runs, not args.no_plans)
            results.append((month, d, b))
        e = evaluation(app, token, args.evaluation_year, args.evaluation_runs)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          "(other work on the machine inflates the figures)")
    for month, d, b in results:
        print(f"{month}: disclosure JSON p50 {d:6.1f} ms  {target(d, DISCLOSURE_TARGET_MS)}   "
              f"bulletin p50 {b:7.1f} ms  {target(b, BULLETIN_TARGET_MS)}")
    print(f"evaluation {args.evaluation_year}: page of 50 p50 {e[0]:6.1f} ms  "
          f"{target(e[0], EVALUATION_PAGE_TARGET_MS)}   whole CSV p50 {e[1]:7.1f} ms  "
          f"{target(e[1], EVALUATION_CSV_TARGET_MS)}")


if __name__ == "__main__":
    main()
