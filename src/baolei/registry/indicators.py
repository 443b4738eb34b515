"""The register's measures and indicators for the command centre (see baolei.indicators).

Each measure counts, set-based, per region code; `codes` limits it to some codes (the
refresher's dirty ones), None counts everywhere (the full rebuild and the check)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from baolei.indicators import CURRENT, Indicator, Row, catalogue
from baolei.registry.models import Household

HOUSEHOLD = "(SELECT village_code FROM registry_household WHERE id = {row}.household_id)"

catalogue.source("registry_household", "{row}.village_code")
catalogue.source("registry_member", HOUSEHOLD)


def _in(queryset: QuerySet, field: str, codes: Sequence[str] | None) -> QuerySet:
    return queryset if codes is None else queryset.filter(**{f"{field}__in": codes})


def _per_code(queryset: QuerySet, field: str, year: int = CURRENT) -> Iterable[Row]:
    for code, value in queryset.values_list(field).annotate(n=Count("pk")).values_list(field, "n"):
        yield code, year, value


def households(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    return _per_code(_in(Household.objects.all(), "village_id", codes), "village_id")


def registered_households(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    queryset = _in(Household.objects.filter(registered_poor=True), "village_id", codes)
    return _per_code(queryset, "village_id")


def _households_url(code: str, year: int, **filters: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"region": code, **filters}.items() if v != "")
    return f"{reverse('registry:household_list')}?{query}"


catalogue.measure("households", households)
catalogue.measure("registered_households", registered_households)

catalogue.indicator(
    Indicator(
        key="households",
        capability="registry",
        name=_("Households"),
        unit=_("households"),
        definition=_("Households in the register, registered poor or not."),
        numerator="households",
        records=lambda code, year: _households_url(code, year),
    )
)
catalogue.indicator(
    Indicator(
        key="registered_households",
        capability="registry",
        name=_("Registered poor households"),
        unit=_("households"),
        definition=_("Households registered as poor (建档立卡), whatever their status now."),
        numerator="registered_households",
        records=lambda code, year: _households_url(code, year, registered="yes"),
    )
)
