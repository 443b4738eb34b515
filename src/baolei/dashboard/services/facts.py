"""Stored figures kept exact: counted by the capabilities' own set-based functions, marked
dirty by database triggers in the writing transaction, recounted and rolled up by the
refresher along the dirty codes' ancestors only.

- `rebuild` counts everything from scratch (`baolei recompute-indicators`);
- `refresh` recounts the codes in the dirty queue (the `refresh_indicators` loop that
  `baolei serve` runs beside the web server, a second or so behind every write);
- `check` compares what is stored with a recount from scratch (`baolei
  check-indicators`).

The refresher and the full rebuild call the same `compute` functions, and a ratio is
always the ratio of stored sums, so the only way a stored figure can differ from a
recount is a change nobody marked — which `check` and the tests look for.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from baolei.dashboard.models import DirtyRegion, Fact, RefreshState, RollUp
from baolei.indicators import Catalogue, Measure, catalogue
from baolei.regions import codes as region_codes

CHUNK = 500  # codes per IN (...) list
BATCH = 2_000  # distinct region codes recounted per refresh transaction
REBUILD_ABOVE = 50_000  # regions waiting beyond which a full rebuild is cheaper
LEVELS = (5, 4, 3, 2, 1, 0)  # village up to the nation
LENGTHS = {0: 0, **region_codes.LEVEL_LENGTHS}
NATION = ""

Key = tuple[str, str, int]  # region code, measure, year


def registered() -> Catalogue:
    """The catalogue with every app's `indicators` module loaded."""
    if not catalogue.measures:
        autodiscover_modules("indicators")
    return catalogue


def level_of(code: str) -> int:
    return 0 if code == NATION else region_codes.level_of(code)


def parent_of(code: str) -> str | None:
    if code == NATION:
        return None
    return region_codes.parent_of(code) or NATION


def _chunks(items: Iterable[str], size: int = CHUNK) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _counted(
    codes: Sequence[str] | None, today: datetime.date, measures: list[Measure] | None = None
) -> Iterator[Fact]:
    for measure in registered().measures.values() if measures is None else measures:
        for code, year, value in measure.compute(codes, today):
            if value and region_codes.is_region_code(code):
                yield Fact(region_code=code, measure=measure.key, year=year, value=value)


def _state() -> RefreshState:
    """The one state row, locked for the rest of the transaction, so that two refreshers
    (the loop and a rebuild command) take turns."""
    state = RefreshState.objects.select_for_update().filter(pk=1).first()
    return state or RefreshState.objects.create(pk=1)


# -- the full rebuild ----------------------------------------------------------------


def _roll_up_everything(keys: list[str] | None = None) -> None:
    """Every level's roll-ups (of the measures `keys`, or all) summed from the facts in
    the database, one statement each."""
    chosen, params = "", []
    if keys is None:
        RollUp.objects.all().delete()
    else:
        RollUp.objects.filter(measure__in=keys).delete()
        chosen, params = f" AND measure IN ({', '.join(['%s'] * len(keys))})", keys
    fact, rollup = Fact._meta.db_table, RollUp._meta.db_table
    with connection.cursor() as cursor:
        for level in LEVELS:
            length = LENGTHS[level]
            parent = "NULL" if level == 0 else f"SUBSTR(region_code, 1, {LENGTHS[level - 1]})"
            grouped = "" if level == 0 else f"{parent}, "
            cursor.execute(
                f"INSERT INTO {rollup} (region_code, parent_code, level, measure, year, value) "
                f"SELECT SUBSTR(region_code, 1, {length}), {parent}, {level}, measure, year, "
                f"SUM(value) FROM {fact} WHERE LENGTH(region_code) >= {length}{chosen} "
                f"GROUP BY SUBSTR(region_code, 1, {length}), {grouped}measure, year",
                params,
            )


@transaction.atomic
def rebuild(today: datetime.date | None = None, only_daily: bool = False) -> int:
    """Count every measure (or only the date-dependent ones) everywhere from scratch and
    roll it all up; returns the number of facts stored."""
    today = today or timezone.localdate()
    state = _state()
    measures = list(registered().measures.values())
    if only_daily:
        measures = [measure for measure in measures if measure.daily]
        Fact.objects.filter(measure__in=[m.key for m in measures]).delete()
    else:
        # Marks committed before this point are answered by the recount below; a write
        # that commits later keeps its mark (the DELETE did not see it) and is recounted.
        DirtyRegion.objects.all().delete()
        Fact.objects.all().delete()
    stored = 0
    for batch in _batched(_counted(None, today, measures), 5_000):
        Fact.objects.bulk_create(batch)
        stored += len(batch)
    _roll_up_everything([m.key for m in measures] if only_daily else None)
    state.refreshed_at = timezone.now()
    if not only_daily:
        state.rebuilt_at = state.refreshed_at
    state.facts_date = today
    state.save()
    return stored


def _batched(items: Iterable[Fact], size: int) -> Iterator[list[Fact]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# -- the incremental refresh ---------------------------------------------------------


def _recount(codes: set[str], today: datetime.date) -> None:
    for chunk in _chunks(sorted(codes)):
        Fact.objects.filter(region_code__in=chunk).delete()
        Fact.objects.bulk_create(_counted(chunk, today), batch_size=5_000)


def _roll_up(codes: set[str]) -> None:
    """Roll up `codes` and their ancestors, from the villages up: each region's figure is
    its own facts plus its children's roll-ups, so the nation costs a few dozen rows."""
    affected = {NATION}
    for code in codes:
        affected.add(code)
        affected.update(region_codes.ancestors_of(code))
    for level in LEVELS:
        for chunk in _chunks(sorted(code for code in affected if level_of(code) == level)):
            sums: dict[Key, int] = defaultdict(int)
            for code, measure, year, value in Fact.objects.filter(
                region_code__in=chunk
            ).values_list("region_code", "measure", "year", "value"):
                sums[code, measure, year] += value
            children = (
                RollUp.objects.filter(parent_code__in=chunk)
                .values_list("parent_code", "measure", "year")
                .annotate(total=Sum("value"))
            )
            for code, measure, year, total in children:
                sums[code, measure, year] += total
            RollUp.objects.filter(region_code__in=chunk).delete()
            RollUp.objects.bulk_create(
                (
                    RollUp(
                        region_code=code,
                        parent_code=parent_of(code),
                        level=level,
                        measure=measure,
                        year=year,
                        value=value,
                    )
                    for (code, measure, year), value in sums.items()
                    if value
                ),
                batch_size=5_000,
            )


def refresh(today: datetime.date | None = None) -> int:
    """Recount the regions in the dirty queue (all of it, a batch per transaction) and
    roll them up. On a new day, first recount the date-dependent measures everywhere
    ("open over 15 days" moves with the date alone); in a new year, or with a national
    load waiting, rebuild everything. Returns the number of marks answered."""
    today = today or timezone.localdate()
    state = RefreshState.objects.filter(pk=1).first()
    waiting = DirtyRegion.objects.aggregate(first=Min("pk"), last=Max("pk"))
    spread = (waiting["last"] or 0) - (waiting["first"] or 0)
    counted_for = state.facts_date if state else None
    # A national load marks every village: one full recount beats a hundred batches. An
    # import of many rows into a few hundred villages is recounted village by village.
    wide = (
        spread > REBUILD_ABOVE
        and DirtyRegion.objects.values("region_code").distinct().count() > REBUILD_ABOVE
    )
    if counted_for is None or counted_for.year != today.year or wide:
        rebuild(today)
        return spread + 1 if waiting["last"] else 0
    if counted_for != today:
        rebuild(today, only_daily=True)
    answered = 0
    while done := _refresh_batch(today):
        answered += done
    return answered


@transaction.atomic
def _refresh_batch(today: datetime.date) -> int:
    """Recount up to BATCH distinct codes of the queue. An import marks a village once
    per row it writes; the village is recounted once. Returns the marks answered."""
    state = _state()
    codes = list(
        DirtyRegion.objects.order_by("region_code")
        .values_list("region_code", flat=True)
        .distinct()[:BATCH]
    )
    if not codes:
        return 0
    # Delete first, recount after: every mark this deletes was committed before the
    # DELETE ran, so the recount that follows sees its write; a mark committed later
    # survives for the next turn.
    answered = 0
    for chunk in _chunks(codes):
        answered += DirtyRegion.objects.filter(region_code__in=chunk).delete()[0]
    recount = {code for code in codes if region_codes.is_region_code(code)}
    _recount(recount, today)
    _roll_up(recount)
    state.refreshed_at = timezone.now()
    state.save(update_fields=["refreshed_at"])
    return answered


# -- the check -----------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    table: str  # "fact" or "roll-up"
    region_code: str
    measure: str
    year: int
    stored: int
    recounted: int

    def __str__(self) -> str:
        return (
            f"{self.table} {self.region_code or '(nation)'} {self.measure} {self.year}: "
            f"stored {self.stored}, recounted {self.recounted}"
        )


def check(today: datetime.date | None = None) -> list[Difference]:
    """Every stored fact and roll-up against a recount from scratch, measure by measure."""
    today = today or timezone.localdate()
    differences: list[Difference] = []
    for measure in registered().measures.values():
        facts: dict[Key, int] = defaultdict(int)
        for code, year, value in measure.compute(None, today):
            if value and region_codes.is_region_code(code):
                facts[code, measure.key, year] += value
        rollups: dict[Key, int] = defaultdict(int)
        for (code, key, year), value in facts.items():
            for length in {0, *LENGTHS.values()}:
                if length <= len(code):
                    rollups[code[:length], key, year] += value
        stored_facts = {
            (code, measure.key, year): value
            for code, year, value in Fact.objects.filter(measure=measure.key).values_list(
                "region_code", "year", "value"
            )
        }
        stored_rollups = {
            (code, measure.key, year): value
            for code, year, value in RollUp.objects.filter(measure=measure.key).values_list(
                "region_code", "year", "value"
            )
        }
        differences += _compare("fact", stored_facts, facts)
        differences += _compare("roll-up", stored_rollups, rollups)
    return differences


def _compare(table: str, stored: dict[Key, int], recounted: dict[Key, int]) -> list[Difference]:
    return [
        Difference(table, *key, stored.get(key, 0), recounted.get(key, 0))
        for key in sorted(set(stored) | set(recounted))
        if stored.get(key, 0) != recounted.get(key, 0)
    ]


# -- reading -------------------------------------------------------------------------


def pending(code: str = NATION) -> int:
    """Marks not yet answered in the region `code` and below."""
    if code == NATION:
        return DirtyRegion.objects.count()
    return DirtyRegion.objects.filter(region_codes.within("region_code", code)).count()


def as_of() -> datetime.datetime | None:
    return RefreshState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


def last_mark() -> int:
    return DirtyRegion.objects.aggregate(last=Max("pk"))["last"] or 0
