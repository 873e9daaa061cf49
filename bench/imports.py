"""The household roster import at county scale (issue 15): N households from one .xlsx into
PostgreSQL, as `flask --app service import-households FILE` runs it.

    .venv/bin/python bench/imports.py [--households 100000]

Builds PostgreSQL database `bench_imports` (a demo county's places and units, no households),
writes an .xlsx roster of N new households (openpyxl, write-only), then times: reading the file,
checking every row (a dry run), and the import that writes (one transaction). Then the same file
again (every row unchanged). Prints seconds, rows per second and peak memory; asserts nothing.
Last, the export of every household (`GET /api/v1/households?format=xlsx`). Targets
(issue 15): importing 100,000 households ≤ 60 s and ≤ 500 MB; exporting them ≤ 20 s.
"""

import argparse
import io
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time

import openpyxl
import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.load_county import fresh_database  # noqa: E402
from service import create_app, migrate  # noqa: E402
from service.auth import issue_token  # noqa: E402
from service.households.rules import id_check_char  # noqa: E402
from service.imports.households import import_households  # noqa: E402
from service.imports.reading import read_sheet  # noqa: E402
from service.users.services import create_user  # noqa: E402
from service.web import cli_context  # noqa: E402

DB = "bench_imports"
DSN = f"postgresql://postgres@127.0.0.1:5432/{DB}"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"
HEADER = ["村代码", "户主姓名", "身份证号", "联系电话", "家庭人口", "困难程度", "帮扶需求",
          "人均纯收入"]
NEEDS = ["低收入增收", "失学返校", "劳动力就业", "创业扶持", "技能培训", "大户技术支持"]
DIFFICULTY = ["难度最大", "难度较大", "难度较小"]


def build() -> list[str]:
    """A fresh county with places and units but no households; its village codes."""
    fresh_database(DB)
    migrate.upgrade(URL)
    subprocess.run([sys.executable, "-m", "flask", "--app", "service", "demo-data", "--quiet",
                    "--households", "1", "--cadres", "60"], check=True,
                   env={**os.environ, "DATABASE_URL": URL}, cwd=ROOT)
    with psycopg.connect(DSN) as conn:
        return [code for (code,) in conn.execute("SELECT code FROM villages ORDER BY id")]


def id_number(n: int) -> str:
    """A valid, distinct ID number for each n (region, birth date and sequence all vary)."""
    region = 140000 + (n // 21_000) % 10_000
    first17 = f"{region}{1950 + n % 50:04d}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def roster(path: str, codes: list[str], count: int) -> None:
    """An .xlsx with `count` households, ID numbers as text (as an office should keep them)."""
    rng = random.Random(15)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for n in range(1, count + 1):
        number = id_number(n)
        sheet.append([rng.choice(codes), "张" + "伟芳娜敏静丽强磊军洋"[n % 10], number,
                      f"139{n % 10**8:08d}", rng.randint(1, 8), rng.choice(DIFFICULTY),
                      "、".join(rng.sample(NEEDS, rng.randint(0, 2))),
                      f"{rng.randint(1500, 9000)}.{rng.randint(0, 99):02d}"])
    book.save(path)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")
    codes = build()
    app = create_app({"DATABASE_URL": URL})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "roster.xlsx")
        t0 = time.perf_counter()
        roster(path, codes, args.households)
        size = os.path.getsize(path)
        print(f"roster of {args.households:,} households: {size / 1e6:.1f} MB written in "
              f"{time.perf_counter() - t0:.1f} s")
        with open(path, "rb") as f:
            data = f.read()
    with app.app_context():
        for label, dry_run in (("check (dry run)", True), ("import", False),
                               ("again (all unchanged)", False)):
            t0 = time.perf_counter()
            sheet = read_sheet(data)
            read = time.perf_counter() - t0
            ctx = cli_context()
            counts = import_households(ctx, sheet, dry_run=dry_run)
            if dry_run:
                ctx.session.rollback()
            else:
                ctx.session.commit()
            ctx.session.close()
            took = time.perf_counter() - t0
            print(f"{label}: {took:.1f} s (reading {read:.1f} s), "
                  f"{args.households / took:,.0f} rows/s, {counts}; peak {peak_mb():.0f} MB")
        export(app, args.households)


def export(app, count: int) -> None:
    """GET /api/v1/households?format=xlsx as the county admin: every household in one
    workbook, through the whole request path; then the workbook read back (its row count)."""
    with app.test_request_context():
        ctx = cli_context()
        admin = create_user(ctx, {"username": "bench-export", "role": "county_admin",
                                  "password": "bench-export-password"})
        ctx.session.commit()
        token, _ = issue_token(admin)
        ctx.session.close()
    client = app.test_client()
    t0 = time.perf_counter()
    response = client.get("/api/v1/households", query_string={"format": "xlsx"},
                          headers={"Authorization": f"Bearer {token}"})
    took = time.perf_counter() - t0
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    rows = sum(1 for _ in openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
               .active.iter_rows()) - 1
    print(f"export (format=xlsx): {rows:,} households, {len(response.data) / 1e6:.1f} MB in "
          f"{took:.1f} s, {rows / took:,.0f} rows/s; peak {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
