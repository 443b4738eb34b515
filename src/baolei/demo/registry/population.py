"""Synthetic rural populations for the demo's villages, reproducible from a seed.

The register holds only poor and monitored people; a village's poverty incidence divides
its poor people by its whole rural (registered, 户籍) population, which the register does
not hold. The demo gets one here: each village of the region a plausible population of
800 to 4,000 people, never fewer than the people its register already holds would make
plausible (the register's people are at most a third of the village), so that, with the
synthetic register's few households not lifted out, the incidence of most villages in
2020 is well under 2%.

The same region, year, seed and register give the same populations, village for village:
one `random.Random(seed)` drawn in village code order. Written set-based (one upsert) with
one audit event for the whole region, like the register generator.
"""

from __future__ import annotations

import math
import random

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.messages import CodedError, lazy_format
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.registry.models import Member, VillagePopulation

SMALLEST, LARGEST = 800, 4000
# The register's people (poor, lifted out and monitored) are this share of a village at most.
REGISTER_SHARE = (0.08, 1 / 3)


def _register_sizes(region_code: str) -> dict[str, int]:
    rows = (
        Member.objects.filter(codes.within("household__village_id", region_code))
        .values("household__village_id")
        .annotate(people=Count("id"))
        .order_by()
    )
    return {row["household__village_id"]: row["people"] for row in rows}


def draw_population(rng: random.Random, registered: int) -> int:
    """A village of 800-4,000 people, larger when its register alone needs it."""
    population = rng.randint(SMALLEST, LARGEST)
    if registered:
        share = rng.uniform(*REGISTER_SHARE)
        population = max(population, math.ceil(registered / share))
    return population


@transaction.atomic
def generate_village_populations(region_code: str, year: int, seed: int) -> int:
    """Give every village of `region_code` a rural population for `year` (replacing the
    year's values there); returns the number of villages written."""
    if not codes.is_region_code(region_code):
        raise CodedError(
            "region", lazy_format(_("%(code)s is not a division code"), code=region_code)
        )
    villages = list(
        Region.objects.villages()
        .within(region_code)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not villages:
        raise CodedError(
            "region", lazy_format(_("region %(code)s has no villages"), code=region_code)
        )
    rng = random.Random(seed)
    registered = _register_sizes(region_code)
    source = f"synthetic (seed {seed})"
    rows = [
        VillagePopulation(
            village_id=code,
            year=year,
            population=draw_population(rng, registered.get(code, 0)),
            source=source,
        )
        for code in villages
    ]
    VillagePopulation.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["village", "year"],
        update_fields=["population", "source", "updated_at"],
    )
    audit.record_bulk(
        Action.BULK_LOAD,
        model="registry.villagepopulation",
        region_code=region_code,
        year=year,
        seed=seed,
        villages=len(rows),
        people=sum(row.population for row in rows),
    )
    return len(rows)
