"""Benchmark: household-sheet import throughput into PostgreSQL (issue #3).

Persons per second, in one run, for:

(a) a raw COPY of the same rows into the same tables (people, households, members,
    status changes), no validation, into empty tables (indexes and constraints in place,
    as the import finds them); the rows are the ones the CSV import wrote, dumped with
    COPY TO and the tables emptied, so that both write exactly the same thing;
(b) python-calamine's bare read of the XLSX file: open it and iterate every row;
(c) the validated import of the CSV file and (d) of the XLSX file through
    `running.run_import` (the real importer, every check on), each into an empty
    register.

The file: a synthetic register of about `--people` members in 湖北 (seed 7, generated
with `baolei generate-register` in a scratch database), exported with the household
list's export (`registry.sheets.export_rows`, ID numbers unmasked) as CSV (UTF-8) and
XLSX. The measurements run in a fresh database holding only the regions of 湖北.

    .venv/bin/python bench/import_throughput.py [--people 100000] [--repeat 1]
        [--profile csv|xlsx] [--keep-files DIR]
"""

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
SOURCE_DB = "baolei_bench_import_source"
TARGET_DB = "baolei_bench_import"
TABLES = (  # in an order the foreign keys accept (they are deferred anyway)
    "registry_person",
    "registry_household",
    "registry_statuschange",
    "registry_member",
)
MEAN_HOUSEHOLD = 3.04  # members per synthetic household (synthetic.mean_household_size)


def database(name: str) -> str:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(SERVER)._replace(path=f"/{name}"))


def drop(name: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "BAOLEI_DATA_DIR": tempfile.gettempdir(),
        "DJANGO_SETTINGS_MODULE": "baolei.settings",
        "BAOLEI_AUDIT_CHANNEL": "command",
    }


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def baolei(env: dict[str, str], *args: str) -> str:
    return run(env, sys.executable, "-m", "baolei", *args)


# --- phase 1: the files ------------------------------------------------------------------


def make_files(directory: str) -> None:
    """Export the scratch register as the household sheet, CSV and XLSX (run in a
    process set up against the scratch database)."""
    import django

    django.setup()
    from baolei.imports import exporting
    from baolei.registry.models import Household
    from baolei.registry.sheets import households as sheets

    def rows():
        members = sheets.export_members(Household.objects.all()).iterator(chunk_size=5000)
        return sheets.export_rows(members, reveal=True)

    with open(os.path.join(directory, "people.csv"), "wb") as out:
        for chunk in exporting.csv_chunks(sheets.export_header(), rows()):
            out.write(chunk)
    exporting.write_xlsx(
        os.path.join(directory, "people.xlsx"),
        sheets.export_header(),
        rows(),
        sheet_name=sheets.SHEET.sheet_name,
        text_columns=sheets.text_columns(),
    )


# --- phase 2: the measurements -----------------------------------------------------------


def _empty_register(cursor) -> None:
    cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


def _count_people(cursor) -> int:
    cursor.execute("SELECT count(*) FROM registry_person")
    return cursor.fetchone()[0]


PHASES: dict[str, float] = {}


def _timed(owner, name: str, label: str) -> None:
    """Wrap `owner.name` to add its wall-clock time to PHASES[label]."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            PHASES[label] = PHASES.get(label, 0.0) + time.perf_counter() - started

    setattr(owner, name, wrapper)


def _time_phases() -> None:
    from baolei.imports import parsing
    from baolei.registry.sheets.loading import HouseholdImporter

    _timed(parsing, "parse_rows", "parse cells")
    _timed(HouseholdImporter, "validate", "check against the register")
    _timed(HouseholdImporter, "load", "load (COPY)")


def _import(path: str, profile: bool) -> tuple[float, dict]:
    from django.db import connection

    from baolei.accounts.permissions import Role
    from baolei.accounts.scope import Scope
    from baolei.imports import pipeline, running
    from baolei.imports.models import ImportJob
    from baolei.registry.sheets.households import SHEET

    context = pipeline.ImportContext(
        scope=Scope(role=Role.SYSTEM_ADMIN, region_code=None),
        filename=os.path.basename(path),
        actor_name="bench",
    )
    with connection.cursor() as cursor:
        _empty_register(cursor)
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    outcome = running.run_import(SHEET, path, os.path.basename(path), context)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    if PHASES:
        rest = seconds - sum(PHASES.values())
        shown = ", ".join(f"{label} {value:.2f} s" for label, value in PHASES.items())
        print(f"    {shown}, reading + commit {rest:.2f} s", file=sys.stderr)
        PHASES.clear()
    if outcome.status != ImportJob.Status.DONE:
        errors = [error.as_json() for error in outcome.errors.first(10)]
        raise SystemExit(f"the import of {path} was rejected: {errors}")
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return seconds, outcome.counts


def _raw_copy() -> tuple[float, int]:
    """Dump what the import wrote, empty the tables, COPY it back in: timed from the
    first COPY to the commit (the deferred foreign keys are checked then)."""
    from django.db import connection, transaction

    dumps: dict[str, tuple[str, bytes]] = {}
    with connection.cursor() as cursor:
        people = _count_people(cursor)
        for table in TABLES:
            cursor.execute(
                "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) "
                "FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped",
                [table],
            )
            columns = cursor.fetchone()[0]
            buffer = io.BytesIO()
            with cursor.copy(f"COPY {table} ({columns}) TO STDOUT") as copy:
                for data in copy:
                    buffer.write(data)
            dumps[table] = (columns, buffer.getvalue())
        _empty_register(cursor)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, data) in dumps.items():
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for start in range(0, len(data), 1 << 20):
                    copy.write(data[start : start + (1 << 20)])
    return time.perf_counter() - started, people


def _bare_read(path: str) -> tuple[float, int]:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    rows = 0
    with CalamineWorkbook.from_path(path) as workbook:
        for _row in workbook.get_sheet_by_index(0).to_python():
            rows += 1
    return time.perf_counter() - started, rows - 1  # without the header


def measure(directory: str, repeat: int, profile: str) -> None:
    import django

    django.setup()
    _time_phases()
    from django.db import connection

    csv_path = os.path.join(directory, "people.csv")
    xlsx_path = os.path.join(directory, "people.xlsx")
    best: dict[str, float] = {}

    def keep(label: str, seconds: float) -> None:
        best[label] = min(best.get(label, seconds), seconds)
        print(f"  {label}: {seconds:.2f} s", file=sys.stderr)

    people = 0
    for _ in range(repeat):
        seconds, read_rows = _bare_read(xlsx_path)
        keep("bare", seconds)
        seconds, counts = _import(csv_path, profile == "csv")
        keep("csv", seconds)
        people = counts["people_created"]
        seconds, copied = _raw_copy()
        assert copied == people, (copied, people)
        keep("copy", seconds)
        seconds, counts = _import(xlsx_path, profile == "xlsx")
        keep("xlsx", seconds)
        assert counts["people_created"] == people
    assert read_rows == people, (read_rows, people)
    with connection.cursor() as cursor:
        _empty_register(cursor)
    rate = {label: people / seconds for label, seconds in best.items()}
    sizes = {
        name: os.path.getsize(os.path.join(directory, name)) / 1e6 for name in os.listdir(directory)
    }
    csv_mb, xlsx_mb = sizes["people.csv"], sizes["people.xlsx"]
    print(f"{people:,} people ({csv_mb:.0f} MB CSV, {xlsx_mb:.0f} MB XLSX); best of {repeat}\n")
    print("| measurement | time | persons/s |")
    print("|---|---:|---:|")
    labels = {
        "copy": "(a) raw COPY into the four tables",
        "bare": "(b) python-calamine bare read of the XLSX",
        "csv": "(c) validated import of the CSV",
        "xlsx": "(d) validated import of the XLSX",
    }
    for label in ("copy", "bare", "csv", "xlsx"):
        print(f"| {labels[label]} | {best[label]:.2f} s | {rate[label]:,.0f} |")
    print()
    print(f"CSV import / raw COPY: {rate['csv'] / rate['copy']:.2f} (goal ≥ 0.50)")
    print(f"XLSX import / bare read: {rate['xlsx'] / rate['bare']:.2f} (goal ≥ 0.70)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs; the best is reported")
    parser.add_argument("--profile", choices=["", "csv", "xlsx"], default="")
    parser.add_argument("--keep-files", default="", help="make (or reuse) the files here")
    parser.add_argument("--phase", default="", help=argparse.SUPPRESS)
    parser.add_argument("--dir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "make":
        return make_files(args.dir)
    if args.phase == "measure":
        return measure(args.dir, args.repeat, args.profile)

    directory = args.keep_files or tempfile.mkdtemp(prefix="baolei-bench-import-")
    os.makedirs(directory, exist_ok=True)
    me = os.path.abspath(__file__)
    if not os.path.exists(os.path.join(directory, "people.xlsx")):
        env = environment(database(SOURCE_DB))
        try:
            baolei(env, "migrate", "--noinput", "-v0")
            baolei(env, "load-regions", "--only", "42")
            households = round(args.people / MEAN_HOUSEHOLD)
            started = time.perf_counter()
            baolei(env, "generate-register", "--region", "42", "--households", str(households),
                   "--seed", "7")  # fmt: skip
            run(env, sys.executable, me, "--phase", "make", "--dir", directory)
            print(f"files made in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        finally:
            drop(SOURCE_DB)
    env = environment(database(TARGET_DB))
    try:
        baolei(env, "migrate", "--noinput", "-v0")
        baolei(env, "load-regions", "--only", "42")
        command = [sys.executable, me, "--phase", "measure", "--dir", directory]
        command += ["--repeat", str(args.repeat), "--profile", args.profile]
        done = subprocess.run(command, env=env, text=True, stdout=subprocess.PIPE)
        if done.returncode:
            raise SystemExit(done.returncode)
        print(f"Command: `.venv/bin/python bench/import_throughput.py {' '.join(sys.argv[1:])}`\n")
        print(done.stdout)
    finally:
        drop(TARGET_DB)


if __name__ == "__main__":
    main()
