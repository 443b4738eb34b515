"""A planted effect for the effectiveness view (效能分析) to find, reproducible from a seed.

The synthetic register stops moving after 2024: nobody is lifted out later, so without
this every village's poverty incidence is flat over the years the work teams arrived in.
Here, after the work teams exist, the poor households (not lifted out, or relapsed) of
the county are lifted out — recorded as a status change (脱贫（享受政策）) with its date,
as the exit procedure would — at two rates:

- in the *effect townships*, the townships at even positions in code order (the first,
  the third, …; in 阳新县 兴国镇 420222100 is the first), a village that got a first
  secretary in one of the two years before the reference year (none in post on 31
  December before, one from that year) has each poor household lifted out with
  probability `WITH_SECRETARY`, on a day from two months after the secretary came to the
  end of the following year (the reference date at the latest);
- everywhere else — every village of the other townships, and the villages of the
  effect townships that got no first secretary — with probability `BACKGROUND`, on a day
  from 1 January of the year before last to the reference date.

So the before/after comparison of the effectiveness view finds that incidence fell more
where a first secretary came in the effect townships, and no clear difference in the
others (pooled over the county, the effect is there but diluted).

One `random.Random(seed)`, households in key order, the reference date `as_of`: the same
register, teams, seed and date give the same changes. Written with `bulk_create` and
`bulk_update` in one transaction with one audit event. A county where the effect has
been planted (a status change decided by `DECIDED_BY`) is left alone.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db import transaction

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.cadres.models import MemberRole, TeamMember
from baolei.demo import REFERENCE_DATE
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry import choices
from baolei.registry.models import Household, StatusChange

WITH_SECRETARY = 0.9
BACKGROUND = 0.15
DECIDED_BY = "乡村振兴局（帮扶成效）"
POOR = (choices.PovertyStatus.NOT_LIFTED, choices.PovertyStatus.RELAPSED)
KEYS = ("effect_townships", "villages_with_new_secretary", "households_lifted")


def effect_townships(county_code: str) -> list[str]:
    """The townships of the county where the effect is planted: even positions in code
    order."""
    townships = (
        Region.objects.filter(codes.within("code", county_code), level=Level.TOWNSHIP)
        .order_by("code")
        .values_list("code", flat=True)
    )
    return [code for index, code in enumerate(townships) if index % 2 == 0]


def secretary_arrivals(county_code: str, years: tuple[int, ...]) -> dict[str, datetime.date]:
    """Village → the day its first secretary came, for villages that had none in post on
    31 December of the year before and got one in one of `years`."""
    stints: dict[str, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    rows = TeamMember.objects.filter(
        codes.within("team__village_id", county_code), role=MemberRole.FIRST_SECRETARY
    ).values_list("team__village_id", "starts_on", "ended_on")
    for village, starts_on, ended_on in rows:
        stints[village].append((starts_on, ended_on))
    arrivals = {}
    for village, spans in sorted(stints.items()):
        for year in years:
            eve = datetime.date(year - 1, 12, 31)
            in_post = any(s <= eve and (e is None or e >= eve) for s, e in spans)
            came = sorted(s for s, _e in spans if s.year == year)
            if not in_post and came:
                arrivals[village] = came[0]
                break
    return arrivals


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def generate_demo(
    county_code: str = "420222", seed: int = 1, as_of: datetime.date | None = None
) -> dict[str, int]:
    as_of = as_of or REFERENCE_DATE
    counties = Region.objects.filter(code=county_code, level=Level.COUNTY)
    planted = StatusChange.objects.filter(
        codes.within("household__village_id", county_code), decided_by=DECIDED_BY
    )
    if not counties.exists() or planted.exists():
        return dict.fromkeys(KEYS, 0)
    rng = random.Random(seed)
    effect = effect_townships(county_code)
    arrivals = secretary_arrivals(county_code, (as_of.year - 2, as_of.year - 1))
    background_from = datetime.date(as_of.year - 2, 1, 1)
    last_change = dict(
        StatusChange.objects.filter(codes.within("household__village_id", county_code))
        .order_by("household_id", "changed_on")
        .values_list("household_id", "changed_on")
    )  # the latest per household, as later rows overwrite earlier ones
    households = Household.objects.filter(
        codes.within("village_id", county_code), registered_poor=True, status__in=POOR
    ).order_by("pk")
    changes, lifted = [], []
    for household in households:
        village = household.village_id
        came = arrivals.get(village)
        if came is not None and village[:9] in effect:
            chance = WITH_SECRETARY
            first = came + datetime.timedelta(days=60)
            last = min(as_of, datetime.date(came.year + 1, 12, 31))
        else:
            chance, first, last = BACKGROUND, background_from, as_of
        draw, day = rng.random(), _day(rng, first, last)
        earlier = last_change.get(household.pk)
        if draw >= chance or first > last or (earlier is not None and earlier >= day):
            continue
        changes.append(
            StatusChange(
                household=household,
                from_status=household.status,
                to_status=choices.PovertyStatus.LIFTED_WITH_POLICY,
                changed_on=day,
                decided_by=DECIDED_BY,
                note="帮扶成效（演示数据）",
            )
        )
        household.status = choices.PovertyStatus.LIFTED_WITH_POLICY
        household.status_since = day
        lifted.append(household)
    counts = {
        "effect_townships": len(effect),
        "villages_with_new_secretary": len(arrivals),
        "households_lifted": len(lifted),
    }
    with transaction.atomic():
        StatusChange.objects.bulk_create(changes, batch_size=1000)
        Household.objects.bulk_update(lifted, ["status", "status_since"], batch_size=1000)
        audit.record_bulk(
            Action.IMPORT,
            model="registry.statuschange",
            region_code=county_code,
            kind="effect_demo",
            seed=seed,
            as_of=as_of.isoformat(),
            effect_townships=effect,
            counts=counts,
        )
    return counts
