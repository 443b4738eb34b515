"""Benchmark: the region picker's queries against the whole country (665,276 regions).

Times the queries behind the picker and the region pages — children with counts at each
level, search by name and by code prefix, nationally and within one county — and prints
p50/p95 in milliseconds. Point it at a database that holds the national load:

    BAOLEI_DATA_DIR=var .venv/bin/python bench/region_picker.py            # SQLite
    DATABASE_URL=postgres://... .venv/bin/python bench/region_picker.py    # PostgreSQL
"""

import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baolei.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from baolei.regions import services  # noqa: E402
from baolei.regions.models import Region  # noqa: E402

REPEAT = 30


def timed(label: str, call) -> tuple[str, float, float]:
    call()  # warm the cache once: we measure a live server, not a cold disk
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return label, statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    total = Region.objects.count()
    if total < 665_276:
        raise SystemExit(f"load the whole country first (found {total} regions)")
    everything = Region.objects.all()
    county = Region.objects.get(code="420222")
    in_county = Region.objects.within("420222")
    cases = [
        (
            "children with counts: the country (31 provinces)",
            lambda: services.children_with_counts(None, everything),
        ),
        (
            "children with counts: 湖北省 (14 cities)",
            lambda: services.children_with_counts(Region.objects.get(code="42"), everything),
        ),
        (
            "children with counts: 阳新县 (21 townships)",
            lambda: services.children_with_counts(county, everything),
        ),
        (
            "picker options: villages of 兴国镇",
            lambda: list(Region.objects.children_of("420222100")),
        ),
        ("search by name, whole country: 兴国", lambda: services.search(everything, "兴国")),
        ("search by name, one county: 兴国", lambda: services.search(in_county, "兴国")),
        (
            "search by code prefix, whole country: 4202221",
            lambda: services.search(everything, "4202221"),
        ),
    ]
    print(f"database: {connection.vendor}, {total} regions, {REPEAT} runs each")
    print("| query | p50 | p95 |")
    print("|---|---:|---:|")
    for label, p50, p95 in (timed(label, call) for label, call in cases):
        print(f"| {label} | {p50:.1f} ms | {p95:.1f} ms |")


if __name__ == "__main__":
    main()
