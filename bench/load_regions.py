"""Benchmark: load the whole country's divisions (665,276 rows) into a fresh database.

Runs `baolei migrate` then `baolei load-regions` twice (first load, then the idempotent
reload) on SQLite and on PostgreSQL, each as the operator would, and prints a Markdown
table of wall-clock times (process start to exit) for BENCHMARKS.md.

    .venv/bin/python bench/load_regions.py [--pg postgres://postgres@127.0.0.1:5432/postgres]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "baolei", *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"baolei {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    lines = done.stdout.strip().splitlines()
    return elapsed, lines[-1] if lines else ""


def bench(label: str, env: dict[str, str]) -> list[tuple[str, str, float, str]]:
    run(["migrate", "--noinput", "-v0"], env)
    rows = []
    for attempt in ("first load (empty table)", "reload (nothing changes)"):
        seconds, summary = run(["load-regions"], env)
        rows.append((label, attempt, seconds, summary))
    return rows


def postgres_database(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as data_dir:
        base = {**os.environ, "BAOLEI_DATA_DIR": data_dir, "SECRET_KEY": "bench"}
        base.pop("DATABASE_URL", None)
        results += bench("SQLite", base)
        pg_url = postgres_database(args.pg, "baolei_bench_regions")
        results += bench("PostgreSQL", {**base, "DATABASE_URL": pg_url})
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "baolei_bench_regions" WITH (FORCE)')
    print("| database | run | wall clock | baolei's report |")
    print("|---|---|---:|---|")
    for label, attempt, seconds, summary in results:
        print(f"| {label} | {attempt} | {seconds:.1f} s | {summary} |")


if __name__ == "__main__":
    main()
