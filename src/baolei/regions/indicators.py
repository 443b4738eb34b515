"""The regions' own measure: how many villages a region has, the denominator of every
"share of villages" indicator (see baolei.indicators)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext_lazy as _

from baolei.indicators import CURRENT, Indicator, Row, catalogue
from baolei.regions.models import Level, Region

catalogue.source("regions_region", "{row}.code")


def villages(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    queryset = Region.objects.filter(level=Level.VILLAGE)
    if codes is not None:
        queryset = queryset.filter(code__in=codes)
    for code in queryset.values_list("code", flat=True).iterator():
        yield code, CURRENT, 1


catalogue.measure("villages", villages)
catalogue.indicator(
    Indicator(
        key="villages",
        capability="regions",
        name=_("Villages"),
        unit=_("villages"),
        definition=_("Administrative villages and communities (村、社区) in the region."),
        numerator="villages",
    )
)
