"""Rural talent's measures and indicators for the command centre (see baolei.indicators).

Each measure counts, set-based, per region code; `codes` limits it to some codes (the
refresher's dirty ones), None counts everywhere (the full rebuild and the check).

- talent: the people of the talent pool, where their record places them (a village);
- villages served by a studio: villages at least one expert studio serves;
- training completions: enrolments marked passed, in the trainee's village, in the year
  the course ended (a course finished in January belongs to the year it was passed).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baolei.indicators import CURRENT, Indicator, Row, catalogue
from baolei.talent.models import Course, Enrolment, ServedVillage, Talent

# --- sources: the tables whose rows move a measure ----------------------------------------

catalogue.source(Talent._meta.db_table, "{row}.region_code")
catalogue.source(ServedVillage._meta.db_table, "{row}.village_code")
catalogue.source(Enrolment._meta.db_table, "{row}.region_code")
# A course's end date moves its completions to another year: mark its trainees' villages.
catalogue.source(
    Course._meta.db_table,
    "SELECT region_code FROM talent_enrolment WHERE course_id = {row}.id",
    many=True,
)


def _in(queryset: QuerySet, field: str, codes: Sequence[str] | None) -> QuerySet:
    return queryset if codes is None else queryset.filter(**{f"{field}__in": codes})


# --- measures -------------------------------------------------------------------------------


def talent(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    queryset = _in(Talent.objects.all(), "region_code", codes)
    for code, value in (
        queryset.values("region_code").annotate(n=Count("pk")).values_list("region_code", "n")
    ):
        yield code, CURRENT, value


def villages_served_by_studio(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    served = _in(ServedVillage.objects.all(), "village_id", codes)
    for code in served.values_list("village_id", flat=True).distinct():
        yield code, CURRENT, 1


def training_completions(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    passed = _in(Enrolment.objects.filter(passed=True), "region_code", codes)
    rows = (
        passed.annotate(year=ExtractYear("course__ends_on"))
        .values("region_code", "year")
        .annotate(n=Count("pk"))
        .values_list("region_code", "year", "n")
    )
    yield from rows


# --- the catalogue --------------------------------------------------------------------------


def _url(name: str, code: str, **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"region": code, **params}.items() if v)
    return f"{reverse(name)}?{query}" if query else reverse(name)


catalogue.measure("talent", talent)
catalogue.measure("villages_served_by_studio", villages_served_by_studio)
catalogue.measure("training_completions", training_completions, yearly=True)

catalogue.indicator(
    Indicator(
        key="talent",
        capability="talent",
        name=_("Rural talent"),
        unit=pgettext_lazy("unit", "people"),
        definition=_("People in the rural talent pool, counted in their village."),
        numerator="talent",
        better="higher",
        records=lambda code, year: _url("talent:talent_list", code),
    )
)
catalogue.indicator(
    Indicator(
        key="studio_coverage",
        capability="talent",
        name=_("Studio coverage"),
        unit="%",
        definition=_("Share of villages served by at least one expert studio."),
        numerator="villages_served_by_studio",
        denominator="villages",
        scale=100,
        better="higher",
        # No list of served villages by region: the nearest is the list of studios, each
        # page naming the villages it serves.
        records=lambda code, year: reverse("talent:studio_list"),
    )
)
catalogue.indicator(
    Indicator(
        key="training_completions",
        capability="talent",
        name=_("Training completions"),
        unit=pgettext_lazy("unit", "people"),
        definition=_(
            "Trainees who passed a course of the new professional farmers plan, in the year "
            "the course ended, counted in their village."
        ),
        numerator="training_completions",
        better="higher",
        yearly=True,
        # The nearest list: the training counts of the region, whose "completed" column
        # counts the same enrolments but by the year the course started.
        records=lambda code, year: _url("talent:training_counts", code, year=year),
    )
)
