"""Benchmark: the command centre's stored figures at millions of people on PostgreSQL
(issue #14: every dashboard page p95 < 50 ms with 8 concurrent clients, flat from 1 to 10
million people; against the same figures counted with GROUP BY over the register; the
time until an import of 100,000 people shows everywhere; a full recompute).

Creates a fresh database (baolei_bench_dashboard), migrates it and loads the real regions
of a few provinces (`baolei load-regions --only <province>` each), then grows a synthetic
register in steps, set-based: households, people and members written by
`INSERT … SELECT … FROM generate_series` with the marking triggers off
(`SET session_replication_role = replica`, which also skips the foreign-key checks: the
rows are made consistent), about 3 people per household (1 to 5), spread over every
village of the provinces; 30 % registered poor, 4 % monitored; every village a rural
population for each year. After each step it times:

- the full `facts.rebuild()`;
- (a) the pages, 8 client processes at once, each asking the nation, province, county,
  township and village pages in turn (Django's test client, a logged-in national user,
  no HTTP): the dashboard page `/dashboard/<code>/` if it answers 200, and always the
  figures the page reads — `figures.region_values` and `figures.children_values` for every
  indicator of the catalogue;
- (b) four register figures (households, registered households, registered people,
  monitored households) for the region and its children, read from the stored
  roll-ups (`figures`) and counted with GROUP BY over the register, the same 8 clients;

- (c) on top of each step, 100,000 people (about 33,000 households) inserted with the
  triggers on, spread over the villages of one county (--import-region, 阳新县: an
  import file is a county's at most), in one transaction; then `facts.refresh()` until
  the dirty queue is empty: the time from the commit until every affected figure is
  current (the nation's households are checked against a count).

    .venv/bin/python bench/dashboard.py [--provinces 42,43] [--steps 1000000,10000000]
        [--import-region 420222] [--deadline 19:40] [--keep]
        [--pg postgres://postgres@127.0.0.1:5432/postgres]
    .venv/bin/python bench/dashboard.py --reuse   # the kept database: 1, 2 and 8 clients

A step that would start after --deadline (UTC, HH:MM) is skipped, and so is the rest.
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

DATABASE = "baolei_bench_dashboard"
CLIENTS = 8
REGISTER_KEYS = (
    "households",
    "registered_households",
    "registered_people",
    "monitored_households",
)
LEVEL_NAMES = {0: "nation", 1: "province", 3: "county", 4: "township", 5: "village"}


def log(message: str) -> None:
    print(
        f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True
    )


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


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the synthetic register, set-based ----------------------------------------------------

# A household h (its id) lives in village h mod n of the villages in code order; it has
# 1 + h mod 5 people, person and member ids 5h + k. Spreads come from a multiplicative hash
# of h, so a rerun builds the same register.
HASH = "MOD(({h}) * 2654435761, 1000)"


def villages_table(cursor, provinces: list[str]) -> int:
    cursor.execute("DROP TABLE IF EXISTS bench_village")
    cursor.execute(
        "CREATE TABLE bench_village AS SELECT code, (ROW_NUMBER() OVER (ORDER BY code) - 1) "
        "AS i FROM regions_region WHERE level = 5 AND SUBSTR(code, 1, 2) = ANY(%s)",
        [provinces],
    )
    cursor.execute("CREATE UNIQUE INDEX ON bench_village (i)")
    cursor.execute("SELECT COUNT(*) FROM bench_village")
    return cursor.fetchone()[0]


def insert_households(cursor, first: int, last: int, villages: int, where: str = "") -> None:
    """Households first..last (ids), their people and members; `where` limits the
    villages (an SQL condition on v.code) for the import, whose households are spread
    over those villages only."""
    hashed = HASH.format(h="g")
    if where:
        cursor.execute(
            f"CREATE TEMP TABLE bench_target AS SELECT code, (ROW_NUMBER() OVER (ORDER BY code) "
            f"- 1) AS i FROM bench_village WHERE {where}"
        )
        cursor.execute("SELECT COUNT(*) FROM bench_target")
        villages = cursor.fetchone()[0]
        table = "bench_target"
    else:
        table = "bench_village"
    cursor.execute(
        f"""
        INSERT INTO registry_household (id, number, village_code, address, head_id,
            registered_poor, attribute, identification_year, identification_standard,
            status, status_since, main_cause, second_cause, third_cause, housing_structure,
            housing_safety, monitoring_type, version, created_at, updated_at)
        SELECT g, 'B' || LPAD(g::text, 12, '0'), v.code, '', 5 * g,
            {hashed} < 300,
            CASE WHEN {hashed} < 300 THEN (ARRAY['ordinary','minimum_living','destitute',
                'minimum_living_destitute'])[1 + MOD({hashed}, 4)] ELSE '' END,
            CASE WHEN {hashed} < 300 THEN 2014 + MOD({hashed}, 6) END,
            'national',
            CASE WHEN {hashed} < 300 THEN (ARRAY['not_lifted','lifted_with_policy',
                'lifted_no_policy','relapsed'])[1 + MOD({hashed} / 7, 4)] ELSE '' END,
            CASE WHEN {hashed} < 300 THEN DATE '2020-12-01' END,
            CASE WHEN {hashed} < 300 THEN (ARRAY['illness','disability','schooling',
                'disaster','lack_of_land','lack_of_water','lack_of_skills','lack_of_labour',
                'lack_of_capital','poor_transport','lack_of_drive','other'])[1 + MOD({hashed}, 12)]
                ELSE '' END,
            '', '', '', 'safe',
            CASE WHEN {hashed} >= 960 THEN (ARRAY['unstable','marginal',
                'sudden_hardship'])[1 + MOD({hashed}, 3)] ELSE '' END,
            1, NOW(), NOW()
        FROM generate_series(%s::bigint, %s::bigint) g JOIN {table} v ON v.i = MOD(g, %s)
        """,
        [first, last, villages],
    )
    cursor.execute(
        """
        INSERT INTO registry_person (id, id_number, name, sex, birth_date, ethnicity, phone,
            region_code, created_at, updated_at)
        SELECT 5 * h.id + k, 'B' || LPAD((5 * h.id + k)::text, 17, '0'),
            '村民' || (5 * h.id + k), CASE WHEN MOD(k, 2) = 0 THEN 'male' ELSE 'female' END,
            DATE '1950-01-01' + MOD(h.id * 37 + k * 4001, 25000)::int, '汉族', '',
            h.village_code, NOW(), NOW()
        FROM registry_household h, generate_series(0, MOD(h.id, 5)::int) k
        WHERE h.id BETWEEN %s AND %s
        """,
        [first, last],
    )
    cursor.execute(
        """
        INSERT INTO registry_member (id, household_id, person_id, relation, education,
            school_status, health, labour_capacity, employment, minimum_living,
            medical_insurance, pension_insurance)
        SELECT 5 * h.id + k, h.id, 5 * h.id + k,
            (ARRAY['head','spouse','son','daughter','father'])[1 + k], '', 'not_in_school',
            'healthy', 'ordinary', 'none', FALSE, TRUE, FALSE
        FROM registry_household h, generate_series(0, MOD(h.id, 5)::int) k
        WHERE h.id BETWEEN %s AND %s
        """,
        [first, last],
    )
    if where:
        cursor.execute("DROP TABLE bench_target")


def reset_sequences(cursor) -> None:
    for table in ("registry_household", "registry_person", "registry_member"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def populations(cursor, year: int) -> None:
    """Every village a rural population (half again its register, at least 500) for the
    years 2020 to `year`, the denominator of the poverty incidence."""
    cursor.execute("DELETE FROM registry_villagepopulation")
    cursor.execute(
        """
        INSERT INTO registry_villagepopulation (village_code, year, population, source,
            updated_at)
        SELECT v.code, y, GREATEST(500, COALESCE(c.people, 0) * 3 / 2), 'bench', NOW()
        FROM bench_village v
        LEFT JOIN (SELECT h.village_code, COUNT(*) AS people FROM registry_member m
            JOIN registry_household h ON h.id = m.household_id GROUP BY 1) c
            ON c.village_code = v.code,
        generate_series(2020, %s) y
        """,
        [year],
    )


def people_count(cursor) -> int:
    cursor.execute("SELECT COUNT(*) FROM registry_member")
    return cursor.fetchone()[0]


def grow(households_so_far: int, people_target: int, villages: int) -> tuple[int, int, float]:
    """Add households until the register holds about `people_target` people (3 a
    household on average), triggers off; returns (households, people, seconds)."""
    from django.db import connection, transaction

    from baolei.dashboard.services.facts import registered

    registered()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        people = people_count(cursor)
        first = households_so_far + 1
        while people < people_target:
            # In slices of about a million people, so that no statement runs for long.
            last = first - 1 + max(1, min(333_334, (people_target - people) // 3 + 1))
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
                insert_households(cursor, first, last, villages)
            people = people_count(cursor)
            log(f"  households to {last:,}: {people:,} people")
            first = last + 1
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
            reset_sequences(cursor)
            populations(cursor, datetime.date.today().year)
        for table in ("registry_household", "registry_person", "registry_member"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return first - 1, people, time.perf_counter() - started


# --- what is asked ------------------------------------------------------------------------


def sample_codes(provinces: list[str], per_level: int, seed: int) -> dict[int, list[str]]:
    from baolei.regions.models import Region

    rng = random.Random(seed)
    chosen: dict[int, list[str]] = {0: [""]}
    for level in (1, 3, 4, 5):
        codes = list(
            Region.objects.filter(level=level, code__regex=rf"^({'|'.join(provinces)})")
            .order_by("code")
            .values_list("code", flat=True)
        )
        chosen[level] = rng.sample(codes, min(per_level, len(codes)))
    return chosen


def page_url(code: str) -> str:
    return f"/dashboard/{code}/" if code else "/dashboard/"


def page_available(code: str) -> bool:
    from django.test import Client

    from baolei.accounts.models import User

    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username="bench"))
    try:
        return client.get(page_url(code)).status_code == 200
    except Exception:  # a page still being written: measure the figures only
        return False


def groupby(code: str, child_length: int) -> list[tuple]:
    """The register's figures for the region and its children, counted now."""
    from django.db import connection

    where, params = "", []
    if code:
        where, params = "WHERE h.village_code >= %s AND h.village_code < %s", [code, code + "z"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT SUBSTR(h.village_code, 1, {child_length}), COUNT(*), "
            f"COUNT(*) FILTER (WHERE h.registered_poor), "
            f"COUNT(*) FILTER (WHERE h.monitoring_type <> '') "
            f"FROM registry_household h {where} GROUP BY 1",
            params,
        )
        households = cursor.fetchall()
        cursor.execute(
            f"SELECT SUBSTR(h.village_code, 1, {child_length}), COUNT(*) FILTER "
            f"(WHERE h.registered_poor) FROM registry_member m JOIN registry_household h "
            f"ON h.id = m.household_id {where} GROUP BY 1",
            params,
        )
        return households + cursor.fetchall()


CHILD_LENGTH = {0: 2, 1: 4, 3: 9, 4: 12, 5: 12}


def client_run(job: tuple[str, int, list[str], int, int]) -> list[float]:
    """One client: `rounds` requests of kind `kind` at level `level`, codes in turn."""
    kind, level, codes, rounds, offset = job
    from django.db import connection
    from django.test import Client

    from baolei.accounts.models import User
    from baolei.dashboard.services import figures

    connection.close()  # the parent's connection is not this process's
    client = Client(SERVER_NAME="localhost")
    if kind == "page":
        client.force_login(User.objects.get(username="bench"))
    every = [i.key for i in figures.indicators()]
    year = figures.this_year()
    samples = []
    for n in range(rounds):
        code = codes[(offset + n) % len(codes)]
        started = time.perf_counter()
        if kind == "page":
            response = client.get(page_url(code))
            assert response.status_code == 200, (code, response.status_code)
        elif kind == "figures":
            figures.region_values(code, every, year)
            if level < 5:
                figures.children_values(code, every, year)
        elif kind == "stored":
            figures.region_values(code, REGISTER_KEYS, year)
            if level < 5:
                figures.children_values(code, REGISTER_KEYS, year)
        else:
            groupby(code, CHILD_LENGTH[level])
        samples.append((time.perf_counter() - started) * 1000)
    connection.close()
    return samples


def concurrent(
    kind: str, codes: dict[int, list[str]], rounds: int, clients: int = CLIENTS
) -> dict[int, list[float]]:
    from django.db import connections

    results = {}
    for level, level_codes in codes.items():
        connections.close_all()
        jobs = [(kind, level, level_codes, rounds, c * rounds) for c in range(clients)]
        # Warm: one round each, not counted.
        with multiprocessing.get_context("fork").Pool(clients) as pool:
            pool.map(client_run, [(kind, level, level_codes, 1, c) for c in range(clients)])
            started = time.perf_counter()
            samples = [s for part in pool.map(client_run, jobs) for s in part]
            wall = time.perf_counter() - started
        results[level] = samples
        log(
            f"  {kind:8} {LEVEL_NAMES[level]:8} {clients} clients n={len(samples)} "
            f"p50 {percentile(samples, 0.5):.1f} ms p95 {percentile(samples, 0.95):.1f} ms "
            f"({len(samples) / wall:.1f}/s)"
        )
    return results


def make_user() -> None:
    from baolei.accounts.models import User
    from baolei.accounts.permissions import Role

    User.objects.update_or_create(
        username="bench",
        defaults={"role": Role.SYSTEM_ADMIN, "is_staff": True, "is_superuser": True},
    )


def import_people(people: int, region: str, first: int) -> dict[str, float]:
    """(c): about `people` people inserted with the triggers on, then refreshed."""
    from django.db import connection, transaction

    from baolei.dashboard.models import RollUp
    from baolei.dashboard.services import facts

    households = people // 3
    last = first + households - 1
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with transaction.atomic():
            insert_households(cursor, first, last, 0, where=f"code LIKE '{region}%'")
            reset_sequences(cursor)
        inserted = time.perf_counter() - started
        cursor.execute(
            "SELECT COUNT(*) FROM registry_member WHERE household_id BETWEEN %s AND %s",
            [first, last],
        )
        added = cursor.fetchone()[0]
    marks = facts.pending()
    started = time.perf_counter()
    answered = facts.refresh()
    refreshed = time.perf_counter() - started
    assert facts.pending() == 0
    nation = RollUp.objects.get(region_code="", measure="households", year=0).value
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registry_household")
        assert nation == cursor.fetchone()[0], "the nation's households are not current"
    return {
        "people": added,
        "households": households,
        "insert_s": inserted,
        "marks": marks,
        "answered": answered,
        "refresh_s": refreshed,
        "last": last,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--provinces", default="42,43")
    parser.add_argument("--steps", default="1000000,10000000")
    parser.add_argument("--rounds", type=int, default=25, help="requests per client and level")
    parser.add_argument("--groupby-rounds", type=int, default=3)
    parser.add_argument("--import-people", type=int, default=100_000)
    parser.add_argument(
        "--import-region", default="420222", help="the villages the import goes to (阳新县)"
    )
    parser.add_argument("--deadline", default="19:40", help="UTC HH:MM")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DATABASE}")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="only time the pages and the stored figures on a database kept by --keep, "
        "with 1, 2 and 8 clients",
    )
    args = parser.parse_args()
    if args.reuse:
        reuse(args)
        return
    provinces = args.provinces.split(",")
    steps = [int(s) for s in args.steps.split(",")]
    hour, minute = map(int, args.deadline.split(":"))
    deadline = datetime.datetime.now(datetime.UTC).replace(
        hour=hour, minute=minute, second=0, microsecond=0
    )

    url = fresh_database(args.pg)
    os.environ.update(
        DATABASE_URL=url,
        BAOLEI_DATA_DIR=tempfile.mkdtemp(prefix="baolei-bench-"),
        SECRET_KEY="bench",
        DJANGO_SETTINGS_MODULE="baolei.settings",
        BAOLEI_AUDIT_CHANNEL="command",
    )
    migrate = baolei("migrate", "--noinput", "-v0")
    baolei("collectstatic", "--noinput", "-v0")  # the pages' hashed static names
    regions = sum(baolei("load-regions", "--only", p) for p in provinces)
    log(f"migrate {migrate:.1f} s, load-regions {regions:.1f} s")

    import django

    django.setup()
    from django.db import connection

    from baolei.dashboard.services import facts

    make_user()
    with connection.cursor() as cursor:
        villages = villages_table(cursor, provinces)
    codes = sample_codes(provinces, 20, 1)
    log(f"{villages:,} villages in {'+'.join(provinces)}")
    households, report = 0, []
    try:
        for target in steps:
            if datetime.datetime.now(datetime.UTC) > deadline:
                log(f"deadline: step {target:,} skipped")
                break
            log(f"step: to {target:,} people")
            households, people, generated = grow(households, target, villages)
            log(f"  generated in {generated:.1f} s")
            started = time.perf_counter()
            stored = facts.rebuild()
            rebuilt = time.perf_counter() - started
            log(f"  rebuild: {stored:,} facts in {rebuilt:.1f} s")
            pages = page_available("") and page_available(codes[5][0])
            measured = {
                "figures": concurrent("figures", codes, args.rounds),
                "stored": concurrent("stored", codes, args.rounds),
                "groupby": concurrent("groupby", codes, args.groupby_rounds),
            }
            if pages:
                measured["page"] = concurrent("page", codes, args.rounds)
            # The import on top of this step's register; the next step grows past it.
            log(f"  import of {args.import_people:,} people into {args.import_region}")
            imported = import_people(args.import_people, args.import_region, households + 1)
            households = imported["last"]
            log(f"  {imported}")
            report.append((people, households, generated, stored, rebuilt, measured, imported))
            print_report(report, villages, provinces)
    finally:
        if not args.keep:
            drop_database(args.pg)


def reuse(args) -> None:
    """The pages and the stored figures again on the kept database, at 1, 2 and 8
    clients: how much of the p95 is the page and how much the queue for the cores."""
    os.environ.update(
        DATABASE_URL=urlunsplit(urlsplit(args.pg)._replace(path=f"/{DATABASE}")),
        BAOLEI_DATA_DIR=tempfile.mkdtemp(prefix="baolei-bench-"),
        SECRET_KEY="bench",
        DJANGO_SETTINGS_MODULE="baolei.settings",
    )
    baolei("collectstatic", "--noinput", "-v0")
    import django

    django.setup()
    codes = sample_codes(args.provinces.split(","), 20, 1)
    for clients in (1, 2, CLIENTS):
        for kind in ("page", "figures"):
            concurrent(kind, codes, args.rounds * CLIENTS // clients, clients)


def print_report(report, villages, provinces) -> None:
    print(f"\nProvinces {'+'.join(provinces)}: {villages:,} villages; {CLIENTS} clients.\n")
    print("| people | households | generated in | facts | full rebuild |")
    print("|---:|---:|---:|---:|---:|")
    for people, households, generated, stored, rebuilt, _m, _i in report:
        print(f"| {people:,} | {households:,} | {generated:.0f} s | {stored:,} | {rebuilt:.1f} s |")
    labels = {
        "page": "dashboard page",
        "figures": "every indicator, stored (region + children)",
        "stored": "register figures, stored (region + children)",
        "groupby": "register figures, GROUP BY over the register",
    }
    print("\np50 / p95 in ms, 8 clients at once:\n")
    header = "| what | people | " + " | ".join(LEVEL_NAMES.values()) + " |"
    print(header)
    print("|---|---:|" + "---:|" * len(LEVEL_NAMES))
    for kind, label in labels.items():
        for people, _h, _g, _s, _r, measured, _i in report:
            if kind not in measured:
                continue
            cells = [
                f"{percentile(s, 0.5):.1f} / {percentile(s, 0.95):.1f}"
                for s in (measured[kind][level] for level in LEVEL_NAMES)
            ]
            print(f"| {label} | {people:,} | " + " | ".join(cells) + " |")
    print("\nImport on top of each step, triggers on, then `facts.refresh()`:\n")
    print(
        "| register | people imported | households | insert (one transaction) | marks "
        "| refresh until current |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for people, _h, _g, _s, _r, _m, imported in report:
        print(
            f"| {people:,} | {imported['people']:,} | {imported['households']:,} "
            f"| {imported['insert_s']:.1f} s | {imported['marks']:,} "
            f"| {imported['refresh_s']:.1f} s |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
