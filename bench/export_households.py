"""Benchmark: export 1,000,000 register rows (one per person) to XLSX and to CSV.

Creates a fresh PostgreSQL database, loads 湖北 (42), generates a synthetic register of
about a million members with `baolei generate-register`, then runs the export the
household list's Export button runs — `registry.sheets.export_members` through
`export_rows` (masked) into `imports.exporting` — in a separate process per format,
reporting the time and that process's peak resident memory.

    .venv/bin/python bench/export_households.py [--households 330000] [--keep]
"""

import argparse
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE = "baolei_bench_export"

EXPORT = r"""
import os, resource, sys, tempfile, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baolei.settings")
import django
django.setup()
from baolei.imports import exporting
from baolei.registry.sheets import households as sheets
from baolei.registry.models import Household

fmt = sys.argv[1]
started = time.perf_counter()
rows = sheets.export_rows(
    sheets.export_members(Household.objects.all()).iterator(chunk_size=2000), reveal=False
)
with tempfile.NamedTemporaryFile(suffix="." + fmt) as target:
    if fmt == "xlsx":
        count = exporting.write_xlsx(
            target.name, sheets.export_header(), rows, text_columns=sheets.text_columns()
        )
    else:
        count = -1  # the header
        with open(target.name, "wb") as out:
            for chunk in exporting.csv_chunks(sheets.export_header(), rows):
                out.write(chunk)
                count += chunk.count(b"\n")
    size = os.path.getsize(target.name)
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{fmt}\t{count}\t{seconds:.1f}\t{peak_mb:.0f}\t{size / 1e6:.0f}")
"""


def baolei(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "baolei", *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"baolei {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=330_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    url = urlunsplit(urlsplit(SERVER)._replace(path=f"/{DATABASE}"))
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "BAOLEI_DATA_DIR": "/tmp"}
    try:
        baolei(env, "migrate", "--noinput", "-v0")
        baolei(env, "load-regions", "--only", "42")
        started = time.perf_counter()
        report = baolei(
            env,
            "generate-register",
            "--region",
            "42",
            "--households",
            str(args.households),
            "--seed",
            "7",
        )
        print(f"generated in {time.perf_counter() - started:.0f} s: {report.splitlines()[-1]}")
        print("| format | rows | time | peak memory of the process | file size |")
        print("|---|---:|---:|---:|---:|")
        for fmt in ("xlsx", "csv"):
            done = subprocess.run(
                [sys.executable, "-c", EXPORT, fmt], env=env, capture_output=True, text=True
            )
            if done.returncode:
                raise SystemExit(done.stderr)
            _fmt, rows, seconds, peak, size = done.stdout.strip().splitlines()[-1].split("\t")
            print(f"| {fmt} | {int(rows):,} | {seconds} s | {peak} MB | {size} MB |")
    finally:
        if not args.keep:
            with psycopg.connect(SERVER, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    main()
