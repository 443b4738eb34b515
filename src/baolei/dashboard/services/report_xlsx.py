"""The village one-page report as a workbook: one row per figure (section, item, value,
unit), written and audited by the project's one export path (`imports.exporting`)."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from baolei.dashboard.services.report import VillageReport, file_stem
from baolei.imports import exporting


def report_rows(report: VillageReport) -> Iterator[list]:
    """The report's figures in the order the page shows them."""
    s = report.summary
    register, monitoring = _("Register"), _("Monitoring")
    for f in [*s.households, *s.by_status]:
        yield [register, f.label, f.value, ""]
    for f in s.monitoring:
        yield [monitoring, f.label, f.value, ""]
    branch = _("Party branch")
    if s.branch is not None:
        yield [branch, _("Name"), s.branch.name, ""]
        if s.branch.secretary is not None:
            yield [branch, _("Secretary"), s.branch.secretary.name, ""]
        for f in s.branch_figures:
            yield [branch, f.label, f.value, ""]
    team = _("Work team and first secretary")
    if s.team is not None:
        yield [team, _("Dispatching unit"), s.team.dispatching_unit, ""]
        secretary = s.first_secretary.cadre.person.name if s.first_secretary else "—"
        yield [team, _("First secretary"), secretary, ""]
        for f in s.team_figures:
            yield [team, f.label, f.value, ""]
    committee = _("Two committees")
    for post in report.committee:
        yield [committee, post.post, post.name, ""]
    talent = _("Talent and studios")
    for f in report.talent:
        yield [talent, f.label, f.value, ""]
    yield [talent, _("Studios serving the village"), "、".join(report.studios) or "—", ""]
    for block in report.indicators:
        for line in block.lines:
            value = "" if line.shown == "—" else _number(line.shown)
            yield [block.label, line.name, value, line.unit]


def _number(shown: str) -> float | int | str:
    """A figure as shown ("1,234", "12.5") back to a number the sheet can sum."""
    plain = shown.replace(",", "")
    try:
        return int(plain)
    except ValueError:
        try:
            return float(plain)
        except ValueError:
            return shown


def report_response(request: HttpRequest, report: VillageReport) -> HttpResponse:
    """The workbook, one audit event in the reader's name."""
    rows = list(report_rows(report))
    return exporting.export_response(
        request,
        header=[_("Section"), _("Item"), _("Value"), _("Unit")],
        rows=rows,
        filename=file_stem(report),
        model="dashboard.report",
        filters={"village": report.region.code},
        count=lambda: len(rows),
        fmt=exporting.XLSX,
        sheet_name=report.region.name[:31],
        widths=(18, 40, 24, 8),
    )
