"""The effectiveness view over the API: the same figures as the page. 403 without the
right to view, 404 for a region outside the caller's scope or a village."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from baolei.accounts.permissions import Perm
from baolei.bounds import Year
from baolei.dashboard.services import effectiveness_data as data
from baolei.dashboard.services import figures
from baolei.dashboard.services.effectiveness import Difference

router = Router(tags=["dashboard"])


class PartOut(Schema):
    key: str
    name: str
    available: bool
    value: float | None
    mark: float | None
    weight: float
    effective_weight: float
    contribution: float | None


class ActionOut(Schema):
    key: str
    label: str
    url: str


class ChildOut(Schema):
    code: str
    name: str
    strength: float | None
    outcome: float | None
    parts: list[PartOut]
    weak_spot: bool
    actions: list[ActionOut]


class DifferenceOut(Schema):
    difference: float | None
    low: float | None
    high: float | None
    verdict: str


class ComparisonOut(Schema):
    strong_count: int
    weak_count: int
    strong_mean: float | None
    weak_mean: float | None
    split: float | None
    result: DifferenceOut


class BeforeAfterOut(Schema):
    treatment: str
    year: int
    before_year: int
    after_year: int
    treated_count: int | None
    control_count: int | None
    treated_change: float | None
    control_change: float | None
    result: DifferenceOut | None
    caveat: str


class EffectivenessOut(Schema):
    code: str
    name: str
    year: int
    outcome: str
    outcome_better: str
    strength_median: float | None
    outcome_median: float | None
    children: list[ChildOut]
    comparison: ComparisonOut
    before_after: BeforeAfterOut


def _difference(result: Difference) -> dict:
    return {
        "difference": result.difference,
        "low": result.low,
        "high": result.high,
        "verdict": result.verdict,
    }


def _before_after(item: data.BeforeAfterAnalysis) -> dict:
    result = item.result
    return {
        "treatment": item.treatment,
        "year": item.year,
        "before_year": item.before_year,
        "after_year": item.after_year,
        "treated_count": result.treated_count if result else None,
        "control_count": result.control_count if result else None,
        "treated_change": result.treated_change if result else None,
        "control_change": result.control_change if result else None,
        "result": _difference(result.result) if result else None,
        "caveat": str(data.CAVEAT),
    }


@router.get("/effectiveness/{code}", response=EffectivenessOut)
def effectiveness(
    request: HttpRequest,
    code: str,
    outcome: str = "",
    year: Year | None = None,
    treatment: str = "",
    treatment_year: Year | None = None,
):
    """Strength and outcome of each child of the region, the weak spots with the actions
    the rules suggest, strong against weak, and the matched before/after comparison."""
    if not request.scope.can(Perm.VIEW):
        raise HttpError(403, "You may not view figures.")
    region = data.region_in_scope(request.scope, code)
    choice = data.choose(region, outcome, year, treatment, treatment_year)
    analysis = data.analyse(region, choice.outcome, choice.year)
    weak = {child.code for child in analysis.weak_spots}
    comparison = analysis.comparison
    return {
        "code": region.code,
        "name": region.name,
        "year": choice.year,
        "outcome": analysis.outcome.key,
        "outcome_better": analysis.outcome.better,
        "strength_median": analysis.strength_median,
        "outcome_median": analysis.outcome_median,
        "children": [
            {
                "code": child.code,
                "name": child.name,
                "strength": child.strength.score,
                "outcome": child.outcome,
                "parts": [
                    {
                        "key": part.input.key,
                        "name": str(part.input.name),
                        "available": part.available,
                        "value": part.value,
                        "mark": part.mark,
                        "weight": part.weight,
                        "effective_weight": part.effective_weight,
                        "contribution": part.contribution,
                    }
                    for part in child.strength.parts
                ],
                "weak_spot": child.code in weak,
                "actions": [
                    {"key": a.key, "label": str(a.label), "url": a.url} for a in child.actions
                ],
            }
            for child in analysis.children
        ],
        "comparison": {
            "strong_count": comparison.strong_count,
            "weak_count": comparison.weak_count,
            "strong_mean": comparison.strong_mean,
            "weak_mean": comparison.weak_mean,
            "split": comparison.split,
            "result": _difference(comparison.result),
        },
        "before_after": _before_after(
            data.before_after(region, choice.treatment, choice.treatment_year, figures.this_year())
        ),
    }
