"""Synthetic registers over the real regions, reproducible from a seed.

The demo county and the benchmarks need a register that looks like a real one: households
in the real villages of a region, families whose ages fit their relations, valid and
unique resident ID numbers that agree with each person's sex and birth date, causes,
incomes around the lines, monitored households (their cases' procedures dated step by
step), helpers, pairings and visits. All of it
comes from one `random.Random(seed)` and the reference date `as_of` (visits are "in the
last twelve months" before it), so the same region, size, seed and date give the same
register, row for row. Nothing else varies: no clock, no hash ordering.

The generator yields plain drafts; `generate_register` writes them set-based, in one
transaction: ids are assigned here and whole batches go in with one prepared statement
(`executemany`) on SQLite or with `COPY` on PostgreSQL. The ORM's `bulk_create` builds a
model instance and runs every field's conversions per row, which measured 95 s for the
demo's 30,000 households on SQLite; this path writes the same rows in a fraction of that.
Like every bulk path it sends no per-row audit signals: one audit event records the
whole register instead.

`full=False` writes only people, households and members (the lookup benchmark's ten
million people); it draws a different random stream, so it is a different register.

Here: reading the region (its villages, the monitoring lines, the ID numbers taken),
`generate_register` and the digest. What the register is made of is in
`synthetic_vocabulary.py`, the people in `synthetic_people.py`, the households and
their years in `synthetic_households.py`, the procedures of their monitoring cases in
`synthetic_procedures.py`, the drafts between generator and writer in
`synthetic_drafts.py` and the set-based writing in `synthetic_writing.py`.
"""

import datetime
import hashlib
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.demo import REFERENCE_DATE
from baolei.demo.registry.drafts import Counts, Village
from baolei.demo.registry.households import DEFAULT_MONITORING_LINE, YEARS, RegisterGenerator
from baolei.demo.registry.vocabulary import _clean
from baolei.demo.registry.writing import _Background, _RegisterWriter
from baolei.messages import CodedError, lazy_format
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry.models import (
    AnnualStandard,
    AssistanceMeasure,
    Helper,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Pairing,
    Person,
    Procedure,
    ProcedureStep,
    RiskEvent,
    StatusChange,
    Visit,
)

GENERATOR = "synthetic"


class RegisterExists(CodedError):
    """The region already has households: the generator adds to nothing."""


def load_villages(region_code: str) -> list[Village]:
    """The villages of the region in code order, with their township and county names."""
    if not codes.is_region_code(region_code):
        raise CodedError(
            "region", lazy_format(_("%(code)s is not a division code"), code=region_code)
        )
    if not Region.objects.filter(code=region_code).exists():
        raise CodedError(
            "region",
            lazy_format(_("there is no region %(code)s: load the regions first"), code=region_code),
        )
    regions = Region.objects.within(region_code)
    # County and township names for addresses and units, also from above the region
    # when it is a township or a village.
    above = Region.objects.filter(code__in=codes.ancestors_of(region_code))
    names = dict(above.values_list("code", "name"))
    names.update(
        regions.filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).values_list("code", "name")
    )
    names = {code: _clean(name) for code, name in names.items()}
    villages = [
        Village(code, _clean(name), names.get(code[:9], ""), names.get(code[:6], ""))
        for code, name in regions.villages().order_by("code").values_list("code", "name")
    ]
    if not villages:
        raise CodedError(
            "region", lazy_format(_("region %(code)s has no villages"), code=region_code)
        )
    return villages


def monitoring_lines() -> dict[int, Decimal]:
    """Each income year's monitoring line: the latest line set on or before that year
    (6,000 yuan from 2021 as shipped), and that first line for 2020."""
    known = dict(
        AnnualStandard.objects.filter(monitoring_line__isnull=False).values_list(
            "year", "monitoring_line"
        )
    )
    lines, current = {}, known[min(known)] if known else DEFAULT_MONITORING_LINE
    for year in YEARS:
        set_by = [line_year for line_year in known if line_year <= year]
        lines[year] = current = known[max(set_by)] if set_by else current
    return lines


def region_household_count(region_code: str) -> int:
    return Household.objects.filter(codes.within("village_id", region_code)).count()


def _taken_ids(counties: Sequence[str]) -> dict[str, set[str]]:
    """The ID numbers already in the database that start with these counties' codes.

    Ranges on the unique index (digits sort below "X" and "Z"), a few hundred per query:
    one index probe each, or one scan of the table when a bulk load has dropped the index.
    """
    taken: dict[str, set[str]] = {}
    for start in range(0, len(counties), 400):
        ranges = models.Q()
        for county in counties[start : start + 400]:
            ranges |= models.Q(id_number__gte=county, id_number__lte=county + "Z")
        for number in Person.objects.filter(ranges).values_list("id_number", flat=True):
            taken.setdefault(number[:6], set()).add(number)
    return taken


def generate_register(
    region_codes: str | Sequence[str],
    households: int,
    seed: int,
    *,
    as_of: datetime.date | None = None,
    full: bool = True,
    batch_size: int = 5000,
    progress: Callable[[Counts], None] | None = None,
) -> Counts:
    """Generate `households` households over the villages of one region (or several).

    Refuses (`RegisterExists`) when a region already has households: generating is for
    empty regions, and a second run with the same seed would only collide with the
    first. One transaction: all of it or nothing.
    """
    started = time.perf_counter()
    regions = [region_codes] if isinstance(region_codes, str) else list(region_codes)
    as_of = as_of or REFERENCE_DATE
    if households < 1:
        raise CodedError("households", _("the number of households must be at least 1"))
    villages = [village for code in regions for village in load_villages(code)]
    counts = Counts()
    with transaction.atomic(), connection.cursor() as cursor:
        for code in regions:
            existing = region_household_count(code)
            if existing:
                raise RegisterExists(
                    "exists",
                    lazy_format(
                        _("region %(code)s already has %(n)d households; nothing was generated"),
                        code=code,
                        n=existing,
                    ),
                )
        taken = _taken_ids(sorted({village.code[:6] for village in villages}))
        generator = RegisterGenerator(
            seed,
            as_of,
            lines=monitoring_lines(),
            full=full,
            taken=lambda county: taken.get(county, set()),
        )
        writer = _RegisterWriter(cursor, counts)
        background = _Background(cursor)
        try:
            for n, draft in enumerate(generator.households(villages, households), start=1):
                writer.add(draft)
                if n % batch_size == 0:
                    background.submit(writer.batch())
                    if progress:
                        progress(counts)
            background.submit(writer.batch())
        finally:
            background.finish()
        if connection.vendor == "postgresql":
            for model in _RegisterWriter.MODELS:  # the planner needs to know the new rows
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        counts.seconds = round(time.perf_counter() - started, 2)
        audit.record_bulk(
            Action.IMPORT,
            model="registry.household",
            region_code=regions[0] if len(regions) == 1 else "",
            regions=regions,
            generator=GENERATOR,
            seed=seed,
            as_of=as_of,
            full=full,
            **counts.as_dict(),
        )
    if progress:
        progress(counts)
    return counts


# --- Proving reproducibility -------------------------------------------------------------

_NOT_DIGESTED = {"id", "created_at", "updated_at", "version"}


def register_digest(region_code: str) -> str:
    """SHA-256 of every row of the region's register, by natural keys, not by ids.

    Foreign keys are replaced by what they point at (a person's ID number, a household's
    number), rows are sorted, and values the database assigns (ids, creation times) are
    left out: two generations with the same seed give the same digest in any database.
    """
    homes = Household.objects.filter(codes.within("village_id", region_code))
    number = dict(homes.values_list("id", "number"))
    members = Member.objects.filter(household__in=homes)
    pairings = Pairing.objects.filter(household__in=homes)
    helpers = Helper.objects.filter(id__in=pairings.values("helper_id"))
    people = Person.objects.filter(
        models.Q(id__in=members.values("person_id")) | models.Q(id__in=helpers.values("person_id"))
    )
    id_number = dict(people.values_list("id", "id_number"))
    helper_key = {h: id_number[p] for h, p in helpers.values_list("id", "person_id")}
    cases = MonitoringCase.objects.filter(household__in=homes)
    case_key = {
        pk: f"{number[h]}/{opened}/{kind}"
        for pk, h, opened, kind in cases.values_list(
            "id", "household_id", "opened_on", "monitoring_type"
        )
    }
    procedures = Procedure.objects.filter(household__in=homes)
    procedure_key = {
        pk: f"{number[h]}/{kind}/{started}"
        for pk, h, kind, started in procedures.values_list(
            "id", "household_id", "kind", "started_on"
        )
    }
    keys = {
        "person_id": id_number,
        "head_id": id_number,
        "household_id": number,
        "helper_id": helper_key,
        "case_id": case_key,
        "procedure_id": procedure_key,
    }
    digest = hashlib.sha256()
    for model, queryset in (
        (Person, people),
        (Household, homes),
        (Helper, helpers),
        (Member, members),
        (HouseholdYear, HouseholdYear.objects.filter(household__in=homes)),
        (StatusChange, StatusChange.objects.filter(household__in=homes)),
        (MonitoringCase, cases),
        (AssistanceMeasure, AssistanceMeasure.objects.filter(case__in=cases)),
        (Procedure, procedures),
        (ProcedureStep, ProcedureStep.objects.filter(procedure__in=procedures)),
        (RiskEvent, RiskEvent.objects.filter(household__in=homes)),
        (Pairing, pairings),
        (Visit, Visit.objects.filter(household__in=homes)),
    ):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in _NOT_DIGESTED]
        rows = sorted(
            repr([_natural(keys, name, value) for name, value in zip(names, row, strict=True)])
            for row in queryset.values_list(*names)
        )
        digest.update(f"{model._meta.label}:{len(rows)}\n".encode())
        for row in rows:
            digest.update(row.encode() + b"\n")
    return digest.hexdigest()


def _natural(keys: dict[str, dict], name: str, value: Any) -> Any:
    if name in keys and value is not None:
        return keys[name][value]
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    return value
