"""The dashboard's tables as workbooks: the ranking of a region's children on one
indicator, written and audited by the project's one export path (`imports.exporting`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from baolei.dashboard.services.ranking import RankRow
from baolei.imports import exporting
from baolei.indicators import Indicator
from baolei.regions.models import Region


def _cell(value: float | int | None) -> float | int | str:
    if value is None:
        return ""
    return value if isinstance(value, int) else round(value, 2)


def ranking_rows(rows: Sequence[RankRow]) -> list[list]:
    return [
        [
            row.rank,
            row.region.code,
            row.region.name,
            _cell(row.value.value),
            row.value.numerator,
            "" if row.value.denominator is None else row.value.denominator,
        ]
        for row in rows
    ]


def ranking_response(
    request: HttpRequest,
    region: Region | None,
    indicator: Indicator,
    year: int,
    rows: Sequence[RankRow],
) -> HttpResponse:
    """The ranking table as XLSX, one audit event in the reader's name."""
    header = [
        pgettext("ranking", "Place"),
        _("Code"),
        _("Name"),
        f"{indicator.name} ({indicator.unit})",
        _("Numerator"),
        _("Denominator"),
    ]
    table = ranking_rows(rows)
    where = region.name if region else exporting.chinese(gettext_lazy("Whole country"))
    return exporting.export_response(
        request,
        header=header,
        rows=table,
        filename=exporting.file_name(
            request.scope,
            gettext_lazy("Ranking"),
            where,
            exporting.chinese(indicator.name),
            year if indicator.yearly else "",
        ),
        model="dashboard.rollup",
        filters={"region": region.code if region else "", "indicator": indicator.key, "year": year},
        count=lambda: len(table),
        fmt=exporting.XLSX,
        sheet_name=str(_("Ranking")),
        text_columns=(1,),
        widths=(6, 14, 24, 16, 12, 12),
    )
