"""The annual lines and the villages' rural populations: who sees them, who sets them.

Lines (`AnnualStandard`) are national (blank region) or provincial. Everyone sees the
national lines and those of the province their scope lies in (all of them for a national
scope): these are the lines that apply to them. Setting a line needs the right to edit
the registry and a scope that holds the line's whole region: a provincial line, the
province or the whole country (a provincial rural revitalisation bureau, the system
administrator); a national line, the whole country. A county or township user sees the
lines that apply to them but does not change them.

A village's rural population (`VillagePopulation`) is set by whoever may edit the
registry in a scope holding the village. Every write is one transaction with its audit
record: the lines are audited on save like the register's other models, a population
change is recorded here (the bulk demo generator records one event for all).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, scope_of
from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.messages import lazy_format
from baolei.regions.models import Level, Region
from baolei.registry.models import NATIONAL, AnnualStandard, VillagePopulation
from baolei.registry.services.people import (
    RegistryError,
    _check_year,
    _village,
    clean_model,
    unknown_fields,
)
from baolei.registry.services.rules import province_of

STANDARD_FIELDS = (
    "poverty_line",
    "monitoring_line",
    "village_incidence_limit",
    "western_incidence_limit",
    "source",
)
AMOUNT_FIELDS = STANDARD_FIELDS[:4]


# --- lines ------------------------------------------------------------------------------


def visible_standards(user_or_scope) -> QuerySet[AnnualStandard]:
    """The lines that apply somewhere in the scope: the national ones and those of the
    scope's province (every province's for a national scope)."""
    scope = scope_of(user_or_scope)
    standards = AnnualStandard.objects.all()
    if scope.empty:
        return standards.none()
    if scope.is_national:
        return standards
    return standards.filter(Q(region_code=NATIONAL) | Q(region_code=province_of(scope.region_code)))


def get_visible_standard(user_or_scope, **lookup) -> AnnualStandard:
    """One line the scope may see, or 404 (the same for a line of another province)."""
    try:
        return visible_standards(user_or_scope).get(**lookup)
    except (AnnualStandard.DoesNotExist, ValueError) as error:
        raise Http404 from error


def may_set_lines(user_or_scope, region_code: str) -> bool:
    """May set the lines of `region_code` ("" national, or a province)?"""
    scope = scope_of(user_or_scope)
    if not scope.can(Perm.EDIT_REGISTRY):
        return False
    if region_code == NATIONAL:
        return scope.is_national
    return scope.contains(region_code)


def settable_regions(user_or_scope) -> list[tuple[str, str]]:
    """(code, name) of the regions whose lines the scope may set; "" is national."""
    scope = scope_of(user_or_scope)
    if not scope.can(Perm.EDIT_REGISTRY) or scope.empty:
        return []
    provinces = Region.objects.filter(level=Level.PROVINCE).order_by("code")
    if scope.is_national:
        return [(NATIONAL, str(_("National"))), *provinces.values_list("code", "name")]
    if len(scope.region_code) == 2:
        return list(provinces.filter(code=scope.region_code).values_list("code", "name"))
    return []


def _amount(name: str, value: Any) -> Decimal | None:
    label = AnnualStandard._meta.get_field(name).verbose_name
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise RegistryError(
            "not_a_number",
            lazy_format(_("%(field)s: %(value)s is not a number."), field=label, value=value),
            field=name,
        ) from None
    if not amount.is_finite() or amount < 0:
        raise RegistryError(
            "negative", lazy_format(_("%(field)s cannot be negative."), field=label), field=name
        )
    return amount


def _check_standard_year(year: int | None) -> int:
    # Next year's line is often published ahead.
    return _check_year(year, "year", last=timezone.localdate().year + 1, required=True)


def _not_allowed(region_code: str) -> RegistryError:
    if region_code == NATIONAL:
        message = _("Only the system administrator sets the national lines.")
    else:
        message = lazy_format(
            _(
                "The lines of province %(code)s are set by users whose scope is that province "
                "or the whole country."
            ),
            code=region_code,
        )
    return RegistryError("not_allowed", message, field="region_code")


@transaction.atomic
def do_save_standard(
    actor,
    standard: AnnualStandard | None = None,
    *,
    region_code: str = NATIONAL,
    year: int | None = None,
    **values: Any,
) -> AnnualStandard:
    """Create the lines of a region and year (`standard` None) or change those of
    `standard` (its region and year stay). Every field not given keeps its value (its
    default for a new line); an empty line clears it."""
    scope: Scope = scope_of(actor)
    unknown_fields(values, STANDARD_FIELDS)
    if standard is None:
        region_code = (region_code or NATIONAL).strip()
        standard = AnnualStandard(region_code=region_code, year=_check_standard_year(year))
        if (
            region_code
            and not Region.objects.filter(code=region_code, level=Level.PROVINCE).exists()
        ):
            raise RegistryError(
                "unknown_province",
                lazy_format(_("There is no province with the code %(code)s."), code=region_code),
                field="region_code",
            )
    else:
        standard = AnnualStandard.objects.select_for_update().get(pk=standard.pk)
    if not may_set_lines(scope, standard.region_code):
        raise _not_allowed(standard.region_code)
    for name, value in values.items():
        if name in AMOUNT_FIELDS:
            value = _amount(name, value)
            if value is None and name not in ("poverty_line", "monitoring_line"):
                value = AnnualStandard._meta.get_field(name).get_default()
        setattr(standard, name, value if name != "source" else str(value or "").strip())
    clean_model(standard)
    try:
        with transaction.atomic():
            standard.save()
    except IntegrityError:
        raise RegistryError(
            "exists",
            lazy_format(
                _("Lines are already set for %(year)s here: change them instead."),
                year=standard.year,
            ),
            field="year",
        ) from None
    return standard


# --- village populations ------------------------------------------------------------------


def _population(value: Any, field: str) -> int:
    try:
        people = int(str(value).strip().replace(",", ""))
    except (TypeError, ValueError):
        people = 0
    if people < 1:
        raise RegistryError(
            "population",
            lazy_format(_("%(value)s is not a number of people."), value=value),
            field=field,
        )
    return people


def _check_population_year(year: int | None) -> int:
    return _check_year(year, "year", required=True)


def _require_edit(scope: Scope) -> None:
    if not scope.can(Perm.EDIT_REGISTRY):
        raise RegistryError("not_allowed", _("You may not edit the registry."))


@transaction.atomic
def do_set_village_population(
    actor, village: Region | str, year: int, population: Any, source: str = ""
) -> VillagePopulation:
    """Record a village's rural population for a year (replacing the year's value)."""
    scope = scope_of(actor)
    _require_edit(scope)
    region = _village(village, None)
    if not scope.contains(region.code):
        raise RegistryError(
            "out_of_scope",
            lazy_format(_("The village %(code)s is outside your scope."), code=region.code),
            field="village",
        )
    year = _check_population_year(year)
    people = _population(population, "population")
    record = VillagePopulation.objects.select_for_update().filter(village=region, year=year).first()
    created = record is None
    if created:
        record = VillagePopulation(village=region, year=year)
    before = {"population": record.population, "source": record.source}
    record.population = people
    record.source = str(source or "").strip()
    clean_model(record, exclude=["village"])
    record.save()
    after = {"population": record.population, "source": record.source}
    changes = {
        name: [None if created else before[name], value]
        for name, value in after.items()
        if created or before[name] != value
    }
    if created:
        changes["year"] = [None, year]
    if changes:
        audit.record(Action.CREATE if created else Action.UPDATE, instance=record, changes=changes)
    return record


@transaction.atomic
def do_set_village_populations(
    actor, year: int, populations: dict[str, Any], source: str = ""
) -> int:
    """Several villages' populations for one year, all or nothing: the first village
    refused (its code in `field`) changes nothing. Returns the number of villages whose
    value changed."""
    scope = scope_of(actor)
    _require_edit(scope)
    year = _check_population_year(year)
    cleaned = {}
    for code, value in populations.items():
        region = _village(code, None, field=code)
        if not scope.contains(region.code):
            raise RegistryError(
                "out_of_scope",
                lazy_format(_("The village %(code)s is outside your scope."), code=code),
                field=code,
            )
        cleaned[region.code] = _population(value, code)
    current = dict(
        VillagePopulation.objects.filter(village_id__in=cleaned, year=year).values_list(
            "village_id", "population"
        )
    )
    changed = 0
    for code, people in cleaned.items():
        if current.get(code) == people:
            continue
        do_set_village_population(scope, code, year, people, source)
        changed += 1
    return changed
