"""Benchmark: a person looked up by ID number and by name within a scope, at millions of
people on PostgreSQL (issue #3: p95 under 20 ms with 10 million people).

Creates a fresh database (baolei_bench_registry), migrates it and loads the national
regions with the `baolei` command, then grows a synthetic register in steps — by default
2 million people in 湖北, then 8 million more in 湖南, 广西, 贵州 and 云南 (10 million) —
with `baolei.demo.registry.register.generate_register(..., full=False)`: people, households
and members written with COPY, by two processes (each its own share of the cities, its own
transaction; --processes). During a step the three tables' secondary indexes and
foreign keys are dropped and then rebuilt (the foreign keys re-validated), the way a bulk
load is done; the rebuild is timed apart. After each step it times, from Django, the
queries the pages use, 1,000 random people each:

- by exact ID number within the person's county: `scoped(Person.objects, scope)
  .filter(id_number=...)`, and the same for a national user;
- by name within the person's county (`within("region_code", county)`, what `scoped`
  adds) and within the province: the first 50 matches.

It prints the Markdown tables for BENCHMARKS.md and the plans (EXPLAIN ANALYZE), and
drops the database at the end unless --keep.

    .venv/bin/python bench/registry_lookup.py [--steps 2000000:42,10000000:43+45+52+53]
        [--lookups 1000] [--seed 1] [--keep] [--pg postgres://postgres@127.0.0.1:5432/postgres]
"""

import argparse
import datetime
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

DATABASE = "baolei_bench_registry"
TABLES = ("registry_person", "registry_household", "registry_member")
DEFAULT_STEPS = "2000000:42,10000000:43+45+52+53"
AS_OF = "2026-11-26"  # fixed, so that a rerun builds the same register


def fresh_database(server_url: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{DATABASE}"))


def drop_database(server_url: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def baolei(*args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "baolei", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"baolei {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def parse_steps(text: str) -> list[tuple[int, list[str]]]:
    steps = []
    for part in text.split(","):
        people, regions = part.split(":")
        steps.append((int(people), regions.split("+")))
    return steps


# --- bulk-load housekeeping --------------------------------------------------------------


def drop_secondary(cursor) -> list[str]:
    """Drop the foreign keys, unique constraints and indexes (all but the primary keys)
    of the three tables; return the statements that put them back, in order."""
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
        "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') "
        "ORDER BY contype = 'f' DESC, conname",
        [list(TABLES)],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
        "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "AND c.conrelid = i.indrelid) ORDER BY 1",
        [list(TABLES)],
    )
    indexes = cursor.fetchall()
    for table, name, _definition, _kind in constraints:  # the foreign keys first
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    restore = [definition for _name, definition in indexes]
    for kind in ("u", "f"):
        restore += [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
            for table, name, definition, k in constraints
            if k == kind
        ]
    return restore


def restore_secondary(cursor, statements: list[str]) -> float:
    started = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '1GB'")
    for statement in statements:
        cursor.execute(statement)
    for table in TABLES:
        cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


# --- lookups -----------------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return at(0.50), at(0.95), at(0.99)


def sample_people(n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM registry_person")
        low, high = cursor.fetchone()
        ids = rng.sample(range(low, high + 1), min(high - low + 1, n * 2))
        cursor.execute(
            "SELECT id, id_number, name, region_code FROM registry_person WHERE id = ANY(%s)",
            [ids],
        )
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    return [found[i] for i in ids if i in found][:n]


def lookups(people: list[tuple[str, str, str]]) -> list[tuple[str, tuple, float, object]]:
    from baolei.accounts.permissions import Role
    from baolei.accounts.scope import Scope, scoped
    from baolei.registry.models import Person

    def county(code: str) -> Scope:
        return Scope(role=Role.REVITALISATION_BUREAU, region_code=code[:6])

    def province(code: str) -> Scope:
        return Scope(role=Role.REVITALISATION_BUREAU, region_code=code[:2])

    national = Scope(role=Role.SYSTEM_ADMIN, region_code=None)
    cases = {
        "ID number, county scope": lambda p: scoped(Person.objects, county(p[2])).filter(
            id_number=p[0]
        ),
        "ID number, national scope": lambda p: scoped(Person.objects, national).filter(
            id_number=p[0]
        ),
        "name, county scope (first 50)": lambda p: scoped(Person.objects, county(p[2])).filter(
            name=p[1]
        )[:50],
        "name, province scope (first 50)": lambda p: scoped(Person.objects, province(p[2])).filter(
            name=p[1]
        )[:50],
    }
    results = []
    for label, query in cases.items():
        for person in people[:20]:  # warm the connection and the cache a little
            list(query(person))
        samples, rows = [], 0
        for person in people:
            started = time.perf_counter()
            found = list(query(person))
            samples.append((time.perf_counter() - started) * 1000)
            rows += len(found)
            if not found:
                raise SystemExit(f"{label}: nothing found for a person that exists")
        plan = query(people[0]).explain(analyze=True)
        results.append((label, percentiles(samples), rows / len(people), plan))
    return results


# --- the run -----------------------------------------------------------------------------


def split(regions: list[str], parts: int) -> list[tuple[list[str], int]]:
    """The regions cut into `parts` groups of about as many villages each (provinces by
    city), for the loading processes: [(region codes, villages)]."""
    from baolei.regions.models import Region

    pieces = []
    for code in regions:
        children = Region.objects.children_of(code) if len(code) < 6 else [None]
        for child in children:
            piece = child.code if child is not None else code
            pieces.append((piece, Region.objects.within(piece).villages().count()))
    groups: list[tuple[list[str], int]] = [([], 0) for _ in range(parts)]
    for piece, villages in sorted(pieces, key=lambda p: (-p[1], p[0])):
        index = min(range(parts), key=lambda i: (groups[i][1], i))
        groups[index] = (groups[index][0] + [piece], groups[index][1] + villages)
    return [group for group in groups if group[0]]


def _load_part(codes: list[str], households: int, seed: int, label: str) -> dict:
    """One loading process: its own connection, its own transaction."""
    from baolei.demo.registry import register as synthetic

    started = time.perf_counter()

    def progress(counts) -> None:
        rate = counts.people / max(time.perf_counter() - started, 1e-9)
        print(f"  [{label}] {counts.people:>10,} people {rate:>8,.0f}/s", file=sys.stderr)

    counts = synthetic.generate_register(
        codes,
        households,
        seed,
        as_of=datetime.date.fromisoformat(AS_OF),
        full=False,
        batch_size=50_000,
        progress=progress,
    )
    return counts.as_dict()


def grow(regions: list[str], people: int, seed: int, workers: int) -> dict:
    from django.db import connection, connections

    from baolei.demo.registry import households as synthetic_households

    households = round(people / synthetic_households.mean_household_size())
    groups = split(regions, workers)
    villages = sum(count for _codes, count in groups)
    shares = [round(households * count / villages) for _codes, count in groups]
    with connection.cursor() as cursor:
        restore = drop_secondary(cursor)
    connections.close_all()  # the children open their own
    started = time.perf_counter()
    jobs = [
        (codes, share, seed * 100 + n, f"{n + 1}/{len(groups)}")
        for n, ((codes, _count), share) in enumerate(zip(groups, shares, strict=True))
    ]
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        parts = pool.starmap(_load_part, jobs)
    load_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        index_seconds = restore_secondary(cursor, restore)
    return {
        "regions": "+".join(regions),
        "people": sum(part["people"] for part in parts),
        "households": sum(part["households"] for part in parts),
        "load": load_seconds,
        "indexes": index_seconds,
        "processes": len(jobs),
    }


def table_sizes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM registry_person",
        )
        people = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(t::regclass))) "
            "FROM unnest(%s::text[]) t",
            [list(TABLES)],
        )
        return f"{people:,} people, {cursor.fetchone()[0]} with indexes"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--steps", default=DEFAULT_STEPS, help=f"default {DEFAULT_STEPS}")
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--processes", type=int, default=2, help="loading processes per step (default 2)"
    )
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DATABASE}")
    args = parser.parse_args()
    steps = parse_steps(args.steps)
    began = time.perf_counter()

    url = fresh_database(args.pg)
    data_dir = tempfile.mkdtemp(prefix="baolei-bench-")
    os.environ.update(
        DATABASE_URL=url,
        BAOLEI_DATA_DIR=data_dir,
        SECRET_KEY="bench",
        DJANGO_SETTINGS_MODULE="baolei.settings",
        BAOLEI_AUDIT_CHANNEL="command",
    )
    setup = {"migrate": baolei("migrate", "--noinput", "-v0"), "regions": baolei("load-regions")}
    print(
        f"migrate {setup['migrate']:.1f} s, load-regions {setup['regions']:.1f} s",
        file=sys.stderr,
    )

    import django

    django.setup()
    rng = random.Random(args.seed)
    loads, measured = [], []
    try:
        total = 0
        for step, (target, regions) in enumerate(steps):
            print(f"step {step + 1}: to {target:,} people in {'+'.join(regions)}", file=sys.stderr)
            load = grow(regions, target - total, args.seed + step, args.processes)
            total += load["people"]
            load["total"] = total
            loads.append(load)
            print(
                f"  loaded in {load['load']:.0f} s, indexes in {load['indexes']:.0f} s; "
                f"{table_sizes()}",
                file=sys.stderr,
            )
            measured.append((total, table_sizes(), lookups(sample_people(args.lookups, rng))))
    finally:
        if not args.keep:
            drop_database(args.pg)
    report(args, loads, measured, time.perf_counter() - began)


def report(args, loads: list[dict], measured: list, seconds: float) -> None:
    command = "  ".join(["bench/registry_lookup.py", *sys.argv[1:]])
    print(f"Command: `.venv/bin/python {command.strip()}` (whole run {seconds / 60:.1f} min)\n")
    print("| step | regions | people added | households added | processes | COPY load "
          "| people/s | indexes + FKs rebuilt |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for n, load in enumerate(loads, start=1):
        print(
            f"| {n} | {load['regions']} | {load['people']:,} | {load['households']:,} "
            f"| {load['processes']} | {load['load']:.0f} s | {load['people'] / load['load']:,.0f} "
            f"| {load['indexes']:.0f} s |"
        )
    print()
    print(f"{args.lookups} random people per query; milliseconds from Django (query built, "
          "run and rows fetched):\n")  # fmt: skip
    print("| people in the register | query | p50 | p95 | p99 | rows per lookup |")
    print("|---:|---|---:|---:|---:|---:|")
    for total, _sizes, results in measured:
        for label, (p50, p95, p99), rows, _plan in results:
            print(f"| {total:,} | {label} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {rows:.1f} |")
    print()
    for _total, sizes, results in measured[-1:]:
        print(f"Plans at {sizes}:\n")
        for label, _p, _rows, plan in results:
            print(f"{label}:\n\n```\n{plan}\n```\n")


if __name__ == "__main__":
    main()
