"""The effectiveness view's maths (效能分析): an organisational strength score from
documented inputs, the outcomes beside it, the weak spots, a strong-against-weak
comparison and a matched before/after comparison, each difference with a bootstrap
confidence interval.

Everything here takes plain numbers and returns plain numbers: no database, no request.
`effectiveness_data` reads the stored figures and the records and hands them in, so the
method can be tried on inputs made up to show an effect, or none.

The bootstrap draws from `random.Random(seed)` with a fixed seed: the same figures give
the same interval on every page load and in every test.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

Better = Literal["higher", "lower"]
Kind = Literal["share", "per_village", "grade"]

SEED = 14  # the bootstrap's: fixed, so that an interval does not move between loads
RESAMPLES = 2000
LEVEL = 0.95
MIN_GROUP = 2  # fewer in a group, or fewer matched pairs, and nothing is compared


# --- the strength score ---------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One documented input of the strength score.

    `kind` says how the figure becomes a mark from 0 to 1:
    - "share": a percentage; `bound` is the value earning full marks ("higher") or no
      marks ("lower"), linearly in between and capped.
    - "per_village": a count divided by the region's villages, then as a share with
      `bound` per village.
    - "grade": the graded branches' mean grade points (advanced 1 … lagging 0).
    """

    key: str
    name: str
    definition: str
    indicator: str  # the catalogue indicator read (for "grade": the group's prefix)
    kind: Kind
    better: Better
    bound: float


INPUTS: tuple[Input, ...] = (
    Input(
        "grade",
        _("Branch grades"),
        _(
            "Mean grade of the graded village branches in the year (or the year before if "
            "none is graded yet): advanced or five stars 100, good 67 (four stars 75), "
            "average 33 (three stars 50), two stars 25, lagging or one star 0."
        ),
        "grade_",
        "grade",
        "higher",
        100,
    ),
    Input(
        "weak_branches",
        _("Weak branches"),
        _("Branches designated weak (软弱涣散) per village; 0.2 per village or more scores 0."),
        "weak_branches",
        "per_village",
        "lower",
        0.2,
    ),
    Input(
        "rectification_overdue",
        _("Rectification overdue"),
        _("Rectification tasks past their deadline per village; 0.5 per village or more scores 0."),
        "rectification_overdue",
        "per_village",
        "lower",
        0.5,
    ),
    Input(
        "first_secretary_coverage",
        _("First secretaries in post"),
        _("Share of villages with a first secretary in post; 100% scores full marks."),
        "first_secretary_coverage",
        "share",
        "higher",
        100,
    ),
    Input(
        "attendance_below_rule",
        _("Attendance below the rule"),
        _("Work-team members below the attendance rule per village; 0.5 or more scores 0."),
        "attendance_below_rule",
        "per_village",
        "lower",
        0.5,
    ),
    Input(
        "linked_share",
        _("Households linked with a party member"),
        _("Share of households linked with a party member; 100% scores full marks."),
        "linked_share",
        "share",
        "higher",
        100,
    ),
    Input(
        "committee_young_share",
        _("Two committees: aged 35 or under"),
        _("Share of two-committee posts held by people aged 35 or under; 50% scores full marks."),
        "committee_young_share",
        "share",
        "higher",
        50,
    ),
    Input(
        "committee_women_share",
        _("Two committees: women"),
        _("Share of two-committee posts held by women; 50% scores full marks."),
        "committee_women_share",
        "share",
        "higher",
        50,
    ),
    Input(
        "committee_college_share",
        _("Two committees: college educated"),
        _("Share of two-committee posts held by college graduates; 50% scores full marks."),
        "committee_college_share",
        "share",
        "higher",
        50,
    ),
    Input(
        "studio_coverage",
        _("Villages served by studios"),
        _("Share of villages served by a talent studio; 100% scores full marks."),
        "studio_coverage",
        "share",
        "higher",
        100,
    ),
    Input(
        "talent",
        _("Talent per village"),
        _("Rural talent recorded per village; 5 per village scores full marks."),
        "talent",
        "per_village",
        "higher",
        5,
    ),
)
INPUTS_BY_KEY = {item.key: item for item in INPUTS}

DEFAULT_WEIGHTS: dict[str, float] = {
    "grade": 20,
    "weak_branches": 10,
    "rectification_overdue": 10,
    "first_secretary_coverage": 15,
    "attendance_below_rule": 5,
    "linked_share": 10,
    "committee_young_share": 5,
    "committee_women_share": 5,
    "committee_college_share": 5,
    "studio_coverage": 10,
    "talent": 5,
}

# Grade points: the four classes and the star ratings on one scale from 0 to 1.
GRADE_POINTS: dict[str, float] = {
    "advanced": 1.0,
    "five_stars": 1.0,
    "good": 2 / 3,
    "four_stars": 0.75,
    "average": 1 / 3,
    "three_stars": 0.5,
    "two_stars": 0.25,
    "lagging": 0.0,
    "one_star": 0.0,
}


def weights() -> dict[str, float]:
    """The configured weights (settings.BAOLEI_EFFECTIVENESS_WEIGHTS over the defaults);
    a negative weight counts as 0."""
    configured = getattr(settings, "BAOLEI_EFFECTIVENESS_WEIGHTS", None) or {}
    merged = {**DEFAULT_WEIGHTS, **{k: v for k, v in configured.items() if k in INPUTS_BY_KEY}}
    return {key: max(0.0, float(value)) for key, value in merged.items()}


def grade_points(counts: Mapping[str, int]) -> float | None:
    """The mean grade points (0-100) of branches counted per grade; None if none graded."""
    graded = sum(n for grade, n in counts.items() if grade in GRADE_POINTS)
    if not graded:
        return None
    points = sum(GRADE_POINTS[grade] * n for grade, n in counts.items() if grade in GRADE_POINTS)
    return 100 * points / graded


def mark(item: Input, value: float | None) -> float | None:
    """The input's value as a mark from 0 to 1 (None when the value is not available).
    A per-village value is passed already divided by the villages."""
    if value is None:
        return None
    ratio = min(1.0, max(0.0, value / item.bound)) if item.bound else 0.0
    return ratio if item.better == "higher" else 1.0 - ratio


@dataclass(frozen=True)
class Part:
    """One input's place in one region's score."""

    input: Input
    value: float | None  # as shown: a percentage, or a count per village
    mark: float | None  # 0-1
    weight: float  # as configured
    effective_weight: float  # share of the weights of the inputs available here (0-1)
    contribution: float | None  # points of the 0-100 score

    @property
    def available(self) -> bool:
        return self.mark is not None


@dataclass(frozen=True)
class Strength:
    score: float | None  # 0-100; None when no input with a weight is available
    parts: tuple[Part, ...]


def strength(values: Mapping[str, float | None], weight_of: Mapping[str, float]) -> Strength:
    """The 0-100 score of one region from its inputs' values (keyed by `Input.key`; a
    key missing or None is "not available"). The weights of the inputs available are
    rescaled to sum to one, so a missing figure neither counts as 0 nor as full marks."""
    marks = {item.key: mark(item, values.get(item.key)) for item in INPUTS}
    total = sum(weight_of.get(k, 0.0) for k, m in marks.items() if m is not None)
    parts = []
    for item in INPUTS:
        weight = weight_of.get(item.key, 0.0)
        item_mark = marks[item.key]
        share = weight / total if total and item_mark is not None else 0.0
        parts.append(
            Part(
                item,
                values.get(item.key),
                item_mark,
                weight,
                share,
                None if item_mark is None else 100 * share * item_mark,
            )
        )
    score = sum(p.contribution or 0.0 for p in parts) if total else None
    return Strength(score, tuple(parts))


# --- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """An outcome: `numerator` over the sum of `denominators` (indicators' raw counts),
    times `scale`; or, with no denominators, the indicator's own value."""

    key: str
    name: str
    unit: str
    definition: str
    better: Better
    numerator: str
    denominators: tuple[str, ...] = ()
    scale: int = 100


OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "poverty_incidence",
        _("Poverty incidence"),
        "%",
        _("People of registered households not lifted out or relapsed, per 100 residents."),
        "lower",
        "poverty_incidence",
    ),
    Outcome(
        "monitored_share",
        _("Monitored households"),
        "%",
        _("Households under monitoring for a return to poverty, per 100 households."),
        "lower",
        "monitored_households",
        ("households",),
    ),
    Outcome(
        "relapse",
        _("Relapse"),
        "%",
        _("Households that fell back into poverty in the year, per 100 registered households."),
        "lower",
        "relapsed_households",
        ("registered_households",),
    ),
    Outcome(
        "risks_eliminated",
        _("Risks eliminated"),
        "%",
        _(
            "Households whose risk was eliminated in the year, per 100 households at risk "
            "(eliminated in the year or monitored now)."
        ),
        "higher",
        "risks_eliminated",
        ("risks_eliminated", "monitored_households"),
    ),
    Outcome(
        "visit_coverage",
        _("Visit coverage"),
        "%",
        _("Households visited in the last 90 days, per 100 households."),
        "higher",
        "visit_coverage",
    ),
)
OUTCOMES_BY_KEY = {item.key: item for item in OUTCOMES}


def outcome_value(
    outcome: Outcome, counts: Mapping[str, int | None], values: Mapping[str, float | None]
) -> float | None:
    """The outcome from the indicators' raw counts (numerators) and values; None when an
    indicator is missing or the denominator is 0."""
    if not outcome.denominators:
        return values.get(outcome.numerator)
    numerator = counts.get(outcome.numerator)
    parts = [counts.get(key) for key in outcome.denominators]
    if numerator is None or any(p is None for p in parts):
        return None
    denominator = sum(p or 0 for p in parts)
    return numerator * outcome.scale / denominator if denominator else None


def worse(better: Better, value: float, than: float) -> bool:
    return value > than if better == "lower" else value < than


# --- weak spots -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One child region on the scatter: its strength and its outcome."""

    code: str
    strength: float
    outcome: float


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def weak_spots(points: Sequence[Point], better: Better) -> list[Point]:
    """Children whose outcome is worse than the median AND whose strength is below the
    median, the worst outcome first."""
    if not points:
        return []
    strength_median = median([p.strength for p in points])
    outcome_median = median([p.outcome for p in points])
    found = [
        p
        for p in points
        if p.strength < strength_median and worse(better, p.outcome, outcome_median)
    ]
    return sorted(found, key=lambda p: (-p.outcome if better == "lower" else p.outcome, p.code))


# --- differences with a bootstrap interval ------------------------------------------------


Verdict = Literal["better", "worse", "no_clear_difference", "too_few"]


@dataclass(frozen=True)
class Difference:
    """`difference` = mean of the first group − mean of the second (or the mean of the
    matched pairs' differences), with its bootstrap interval."""

    difference: float | None
    low: float | None
    high: float | None
    verdict: Verdict

    @property
    def covers_zero(self) -> bool:
        return self.low is None or self.high is None or self.low <= 0 <= self.high


def _percentile_interval(estimates: list[float], level: float) -> tuple[float, float]:
    ordered = sorted(estimates)
    tail = (1 - level) / 2
    low = ordered[max(0, math.floor(tail * len(ordered)))]
    high = ordered[min(len(ordered) - 1, math.ceil((1 - tail) * len(ordered)) - 1)]
    return low, high


def _verdict(low: float, high: float, better: Better) -> Verdict:
    """Better or worse for the first group, or no clear difference when the interval
    covers 0."""
    if low <= 0 <= high:
        return "no_clear_difference"
    lower_in_first = high < 0
    return "better" if lower_in_first == (better == "lower") else "worse"


def bootstrap_difference(
    first: Sequence[float],
    second: Sequence[float],
    better: Better,
    seed: int = SEED,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
) -> Difference:
    """Mean of `first` − mean of `second`, with a percentile interval from resampling
    each group with replacement."""
    if len(first) < MIN_GROUP or len(second) < MIN_GROUP:
        return Difference(None, None, None, "too_few")
    rng = random.Random(seed)
    estimate = statistics.fmean(first) - statistics.fmean(second)
    draws = [
        statistics.fmean(rng.choices(first, k=len(first)))
        - statistics.fmean(rng.choices(second, k=len(second)))
        for _ in range(resamples)
    ]
    low, high = _percentile_interval(draws, level)
    return Difference(estimate, low, high, _verdict(low, high, better))


def bootstrap_mean(
    values: Sequence[float],
    better: Better,
    seed: int = SEED,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
) -> Difference:
    """The mean of paired differences, with a percentile interval from resampling pairs."""
    if len(values) < MIN_GROUP:
        return Difference(None, None, None, "too_few")
    rng = random.Random(seed)
    draws = [statistics.fmean(rng.choices(values, k=len(values))) for _ in range(resamples)]
    low, high = _percentile_interval(draws, level)
    return Difference(statistics.fmean(values), low, high, _verdict(low, high, better))


# --- strong against weak ------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    strong_count: int
    weak_count: int
    strong_mean: float | None
    weak_mean: float | None
    split: float | None  # the median strength: strong above it, weak at or below
    result: Difference  # strong − weak


def compare_groups(points: Sequence[Point], better: Better, seed: int = SEED) -> Comparison:
    """The outcome of the children above the median strength against those at or below."""
    split = median([p.strength for p in points])
    strong = [p.outcome for p in points if split is not None and p.strength > split]
    weak = [p.outcome for p in points if split is not None and p.strength <= split]
    return Comparison(
        len(strong),
        len(weak),
        statistics.fmean(strong) if strong else None,
        statistics.fmean(weak) if weak else None,
        split,
        bootstrap_difference(strong, weak, better, seed),
    )


# --- before and after, matched ----------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A village with its outcome the year before the change and after it."""

    code: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Pair:
    """A treated village and its nearest controls (all of them when several are equally
    near: many villages share a starting value, 0 above all, and picking one of them by
    code would let a single village stand for every match)."""

    treated: Unit
    controls: tuple[Unit, ...]

    @property
    def control_change(self) -> float:
        return statistics.fmean(c.change for c in self.controls)

    @property
    def difference(self) -> float:
        return self.treated.change - self.control_change


@dataclass(frozen=True)
class BeforeAfter:
    treated_count: int
    control_count: int  # the villages available to match, not only those matched
    pairs: tuple[Pair, ...]
    treated_change: float | None  # mean change of the treated
    control_change: float | None  # mean change of their matches
    result: Difference  # mean of (treated change − matched control change)


def match(treated: Sequence[Unit], controls: Sequence[Unit]) -> list[Pair]:
    """Each treated village with the controls nearest in its starting value (with
    replacement: a control may serve several treated villages)."""
    if not controls:
        return []
    pairs = []
    for unit in sorted(treated, key=lambda u: u.code):
        nearest = min(abs(c.before - unit.before) for c in controls)
        tied = [c for c in controls if math.isclose(abs(c.before - unit.before), nearest)]
        pairs.append(Pair(unit, tuple(sorted(tied, key=lambda c: c.code))))
    return pairs


def before_after(
    treated: Sequence[Unit], controls: Sequence[Unit], better: Better, seed: int = SEED
) -> BeforeAfter:
    """The change of the treated villages against that of their matched controls: the
    mean difference in change, with a bootstrap interval over the pairs."""
    pairs = match(treated, controls)
    differences = [pair.difference for pair in pairs]
    return BeforeAfter(
        len(treated),
        len(controls),
        tuple(pairs),
        statistics.fmean([p.treated.change for p in pairs]) if pairs else None,
        statistics.fmean([p.control_change for p in pairs]) if pairs else None,
        bootstrap_mean(differences, better, seed),
    )
