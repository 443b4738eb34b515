"""Front-line achievements computed from the register (实绩, 从台账中计算).

A cadre who is also one of the register's responsible helpers (`Cadre.helper`) is
credited, for each household paired with them, with what the register records:

- **lifted**: the household's status changed to lifted out of poverty (from not lifted,
  relapsed or nothing) on a day within the pairing (from its start to its end, or to
  today while it lasts). An exit before the pairing began is not the cadre's;
- **risk eliminated**: a monitoring case of the household closed as risk eliminated,
  on a day within the pairing;
- **visit**: a visit recorded with the cadre as the visiting helper.

Each is returned as a `Computed` row naming its source record (status change,
monitoring case, visit), never copied into the cadre's file: the register stays the
one place where these facts live, and a correction there shows here at once.

Counts for many cadres at once (`counts_for`) take five queries whatever their number.
They count every household paired with the cadre, wherever it is (a ranking compares
whole records); the rows a page lists (`computed_for` with `households`) are only those
of the viewer's scope.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from baolei.cadres.choices import AchievementKind
from baolei.cadres.models import Achievement, Cadre
from baolei.registry import choices as registry_choices
from baolei.registry.models import MonitoringCase, Pairing, StatusChange, Visit

LIFTED = (
    registry_choices.PovertyStatus.LIFTED_WITH_POLICY,
    registry_choices.PovertyStatus.LIFTED_NO_POLICY,
)


@dataclass(frozen=True)
class Period:
    """The days counted, both ends included."""

    start: datetime.date
    end: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Computed:
    kind: str
    on: datetime.date
    village_code: str
    household_id: int
    household_number: str
    source: str  # "status_change", "monitoring_case" or "visit"
    source_id: int
    detail: str

    @property
    def kind_label(self) -> str:
        return AchievementKind(self.kind).label


def _during(day: datetime.date, pairing: dict, today: datetime.date) -> bool:
    return pairing["started_on"] <= day <= (pairing["ended_on"] or today)


def _pairings(helper_ids: Iterable[int]) -> dict[int, list[dict]]:
    """household → its pairings with these helpers."""
    by_household: dict[int, list[dict]] = defaultdict(list)
    rows = Pairing.objects.filter(helper_id__in=list(helper_ids)).values(
        "helper_id", "household_id", "started_on", "ended_on"
    )
    for row in rows:
        by_household[row["household_id"]].append(row)
    return by_household


def _exits(households: Iterable[int], period: Period) -> QuerySet:
    return (
        StatusChange.objects.filter(
            household_id__in=households,
            to_status__in=LIFTED,
            changed_on__range=(period.start, period.end),
        )
        .exclude(from_status__in=LIFTED)
        .values(
            "id",
            "household_id",
            "household__number",
            "household__village_id",
            "changed_on",
            "decided_by",
        )
    )


def _eliminations(households: Iterable[int], period: Period) -> QuerySet:
    return MonitoringCase.objects.filter(
        household_id__in=households,
        status=registry_choices.CaseStatus.RISK_ELIMINATED,
        eliminated_on__range=(period.start, period.end),
    ).values("id", "household_id", "household__number", "household__village_id", "eliminated_on")


def _credited(rows, date_key: str, pairings: dict[int, list[dict]], today) -> list[tuple]:
    """(helper id, row) for each row that falls within a pairing of the household; a
    household paired twice with the same helper is credited once per event."""
    credited = []
    for row in rows:
        helpers = {
            pairing["helper_id"]
            for pairing in pairings.get(row["household_id"], ())
            if _during(row[date_key], pairing, today)
        }
        credited.extend((helper_id, row) for helper_id in sorted(helpers))
    return credited


def computed_for(
    cadre: Cadre, period: Period, households: QuerySet | None = None
) -> list[Computed]:
    """The cadre's computed achievements in the period, newest first. `households`
    (the viewer's scoped households) limits the rows shown to those the viewer may see."""
    if cadre.helper_id is None:
        return []
    today = timezone.localdate()
    pairings = _pairings([cadre.helper_id])
    ids = list(pairings)
    if households is not None:
        ids = list(households.filter(pk__in=ids).values_list("pk", flat=True))
    rows: list[Computed] = []
    for _helper, row in _credited(_exits(ids, period), "changed_on", pairings, today):
        rows.append(
            Computed(
                AchievementKind.LIFTED,
                row["changed_on"],
                row["household__village_id"],
                row["household_id"],
                row["household__number"],
                "status_change",
                row["id"],
                row["decided_by"],
            )
        )
    for _helper, row in _credited(_eliminations(ids, period), "eliminated_on", pairings, today):
        rows.append(
            Computed(
                AchievementKind.RISK_ELIMINATED,
                row["eliminated_on"],
                row["household__village_id"],
                row["household_id"],
                row["household__number"],
                "monitoring_case",
                row["id"],
                "",
            )
        )
    visits = Visit.objects.filter(
        helper_id=cadre.helper_id, visited_on__range=(period.start, period.end)
    )
    if households is not None:
        visits = visits.filter(household__in=households)
    for visit in visits.values(
        "id", "household_id", "household__number", "household__village_id", "visited_on", "findings"
    ):
        rows.append(
            Computed(
                AchievementKind.VISIT,
                visit["visited_on"],
                visit["household__village_id"],
                visit["household_id"],
                visit["household__number"],
                "visit",
                visit["id"],
                visit["findings"][:80],
            )
        )
    rows.sort(key=lambda row: (row.on, row.source, row.source_id), reverse=True)
    return rows


def counts_for(cadres: list[Cadre], period: Period) -> dict[int, dict[str, int]]:
    """cadre id → {kind: count} in the period, computed and entered alike (entered
    achievements count their `quantity`)."""
    counts: dict[int, dict[str, int]] = {
        cadre.pk: dict.fromkeys(AchievementKind.values, 0) for cadre in cadres
    }
    by_helper = {cadre.helper_id: cadre.pk for cadre in cadres if cadre.helper_id}
    if by_helper:
        today = timezone.localdate()
        pairings = _pairings(by_helper)
        households = Pairing.objects.filter(helper_id__in=list(by_helper)).values("household_id")
        for helper_id, _row in _credited(_exits(households, period), "changed_on", pairings, today):
            counts[by_helper[helper_id]][AchievementKind.LIFTED] += 1
        eliminations = _eliminations(households, period)
        for helper_id, _row in _credited(eliminations, "eliminated_on", pairings, today):
            counts[by_helper[helper_id]][AchievementKind.RISK_ELIMINATED] += 1
        visits = (
            Visit.objects.filter(
                helper_id__in=list(by_helper), visited_on__range=(period.start, period.end)
            )
            .values("helper_id")
            .annotate(n=Count("id"))
        )
        for row in visits:
            counts[by_helper[row["helper_id"]]][AchievementKind.VISIT] += row["n"]
    entered = (
        Achievement.objects.filter(
            cadre_id__in=list(counts), achieved_on__range=(period.start, period.end)
        )
        .values("cadre_id", "kind")
        .annotate(n=Sum("quantity"))
    )
    for row in entered:
        counts[row["cadre_id"]][row["kind"]] += row["n"] or 0
    return counts
