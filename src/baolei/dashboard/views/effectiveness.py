"""The effectiveness view (效能分析) of a region's children: strength beside outcome, the
scatter with its quadrants, the weak spots and their actions, strong against weak, and
the matched before/after comparison. 404 outside the viewer's scope, and for a village
(it has no children to compare)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.dashboard.services import effectiveness as maths
from baolei.dashboard.services import effectiveness_data as data
from baolei.dashboard.services import figures


def _scatter(analysis: data.Analysis) -> dict:
    names = {child.code: child.name for child in analysis.children}
    # A click on a point opens the child: its own effectiveness, or a village's dashboard.
    urls = {
        child.code: reverse(
            "dashboard:region" if child.is_village else "dashboard:effectiveness",
            args=[child.code],
        )
        for child in analysis.children
    }
    return {
        "outcome": str(analysis.outcome.name),
        "unit": analysis.outcome.unit,
        "strength": str(_("Organisational strength")),
        "better": analysis.outcome.better,
        "strength_median": analysis.strength_median,
        "outcome_median": analysis.outcome_median,
        "points": [
            {
                "code": p.code,
                "name": names[p.code],
                "url": urls[p.code],
                "strength": round(p.strength, 1),
                "outcome": round(p.outcome, 3),
            }
            for p in analysis.points
        ],
    }


@require_GET
@require_perm(Perm.VIEW)
def effectiveness(request: HttpRequest, code: str) -> HttpResponse:
    region = data.region_in_scope(request.scope, code)
    choice = data.choose(
        region,
        request.GET.get("outcome"),
        data.as_int(request.GET.get("year")),
        request.GET.get("treatment"),
        data.as_int(request.GET.get("treatment_year")),
    )
    analysis = data.analyse(region, choice.outcome, choice.year)
    parent = region.parent_code
    context = {
        "region": region,
        "parent": parent if parent and request.scope.contains(parent) else None,
        "choice": choice,
        "analysis": analysis,
        "inputs": maths.INPUTS,
        "weights": maths.weights(),
        "outcomes": maths.OUTCOMES,
        "treatments": data.TREATMENTS,
        "treatment_label": data.TREATMENTS[choice.treatment],
        "caveat": data.CAVEAT,
        "scatter": _scatter(analysis),
        "before_after": data.before_after(
            region, choice.treatment, choice.treatment_year, figures.this_year()
        ),
    }
    return render(request, "dashboard/effectiveness.html", context)
