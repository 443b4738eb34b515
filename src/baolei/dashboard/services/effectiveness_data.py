"""The effectiveness view's data: the stored figures of a region's children read into the
plain numbers `effectiveness` works on, the actions the rules suggest for a weak spot,
and the villages that got a first secretary or finished rectification in a year.

Scope is the caller's: the page and the API check the region with `get_in_scope` before
asking. Figures come from the stored roll-ups (`figures`); an indicator not in the
catalogue is "not available", never an error, since each capability registers its own.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, get_in_scope
from baolei.cadres.models import MemberRole, TeamMember
from baolei.dashboard.services import effectiveness as maths
from baolei.dashboard.services import figures
from baolei.dashboard.services.facts import registered
from baolei.organisation.models import WeakBranchDesignation
from baolei.regions import codes
from baolei.regions.models import Level, Region

INCIDENCE = "poverty_incidence"
VILLAGES = "villages"
# Read for the rules that suggest actions, beside the inputs and outcomes.
RULE_KEYS = ("paired_households", "monitored_households")
CAVEAT = _(
    "This shows association, not cause: other differences between the villages may explain it."
)
TREATMENTS = {
    "first_secretary": _("Got a first secretary"),
    "rectification": _("Finished rectification"),
}


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    url: str


@dataclass
class Child:
    code: str
    name: str
    level: int
    strength: maths.Strength
    outcome: float | None
    actions: list[Action] = field(default_factory=list)

    @property
    def is_village(self) -> bool:
        return self.level == Level.VILLAGE


@dataclass
class Analysis:
    region: Region
    outcome: maths.Outcome
    year: int
    grade_year: int | None  # the year the branch grades are from, if any
    children: list[Child]
    points: list[maths.Point]
    strength_median: float | None
    outcome_median: float | None
    weak_spots: list[Child]
    comparison: maths.Comparison
    missing: list[maths.Input]  # inputs the catalogue does not have (yet)


def _grade_keys() -> dict[str, str]:
    """Catalogue key → grade, for the indicators of the "grade" group."""
    catalogue = registered().indicators
    return {
        key: key.removeprefix("grade_")
        for key, indicator in catalogue.items()
        if indicator.group == "grade" and key.startswith("grade_")
    }


def missing_inputs() -> list[maths.Input]:
    catalogue = registered().indicators
    grades = _grade_keys()
    return [
        item
        for item in maths.INPUTS
        if (not grades if item.kind == "grade" else item.indicator not in catalogue)
    ]


def _wanted_keys(outcome: maths.Outcome) -> list[str]:
    keys = {VILLAGES, *RULE_KEYS, outcome.numerator, *outcome.denominators}
    keys |= {item.indicator for item in maths.INPUTS if item.kind != "grade"}
    return sorted(keys | set(_grade_keys()))


def _grade_counts(row: dict[str, figures.Value], grades: dict[str, str]) -> dict[str, int]:
    return {grade: row[key].numerator for key, grade in grades.items() if key in row}


def input_values(
    row: dict[str, figures.Value], grade_counts: dict[str, int]
) -> dict[str, float | None]:
    """The inputs' values of one region from its figures (None: not available)."""
    villages = row[VILLAGES].numerator if VILLAGES in row else 0
    values: dict[str, float | None] = {}
    for item in maths.INPUTS:
        if item.kind == "grade":
            values[item.key] = maths.grade_points(grade_counts)
        elif item.indicator not in row:
            values[item.key] = None
        elif item.kind == "per_village":
            count = row[item.indicator].numerator
            values[item.key] = count / villages if villages else None
        else:
            values[item.key] = row[item.indicator].value
    return values


def _outcome(outcome: maths.Outcome, row: dict[str, figures.Value]) -> float | None:
    counts = {key: value.numerator for key, value in row.items()}
    values = {key: value.value for key, value in row.items()}
    return maths.outcome_value(outcome, counts, values)


def _with_region(url: str, code: str) -> str:
    return f"{url}?region={code}"


def suggested_actions(child: Child, row: dict[str, figures.Value]) -> list[Action]:
    """The rules: a weak grade not yet designated → designate as weak branch; villages
    without a first secretary → propose one through matching; monitored households
    outnumbering paired ones → pair more cadres; villages without a studio or little
    talent → ask a studio. Each a link to the page where it is done."""
    parts = {part.input.key: part for part in child.strength.parts}
    actions = []
    grade, weak = parts["grade"], parts["weak_branches"]
    if grade.mark is not None and grade.mark < 0.5 and weak.mark != 0:
        actions.append(
            Action(
                "designate",
                _("Designate as a weak branch"),
                _with_region(reverse("organisation:weak_list"), child.code),
            )
        )
    coverage = parts["first_secretary_coverage"].value
    if coverage is not None and coverage < 100:
        actions.append(
            Action(
                "first_secretary",
                _("Propose a first secretary through matching"),
                _with_region(reverse("cadres:matching_list"), child.code),
            )
        )
    paired, monitored = row.get("paired_households"), row.get("monitored_households")
    if paired is not None and monitored is not None and paired.numerator < monitored.numerator:
        actions.append(
            Action(
                "pair",
                _("Pair more cadres with households"),
                f"{reverse('registry:household_list')}?region={child.code}&monitored=yes",
            )
        )
    studios, talent = parts["studio_coverage"].value, parts["talent"].mark
    if (studios is not None and studios < 100) or (talent is not None and talent < 0.2):
        actions.append(
            Action(
                "studio",
                _("Ask a studio for a service"),
                _with_region(reverse("talent:request_create"), child.code),
            )
        )
    return actions


def analyse(region: Region, outcome_key: str, year: int) -> Analysis:
    """Strength and outcome of every child of `region` in `year`, the scatter's points,
    the weak spots with their actions and the strong-against-weak comparison."""
    outcome = maths.OUTCOMES_BY_KEY.get(outcome_key, maths.OUTCOMES[0])
    grades = _grade_keys()
    values = figures.by_code(figures.children_values(region.code, _wanted_keys(outcome), year))
    # Grading is yearly and done after the year: with none yet, the year before's.
    grade_year: int | None = year
    if grades and not any(any(_grade_counts(row, grades).values()) for row in values.values()):
        earlier = figures.by_code(figures.children_values(region.code, list(grades), year - 1))
        for code, row in earlier.items():
            values.setdefault(code, {}).update(row)
        grade_year = year - 1
    weight_of = maths.weights()
    children = []
    for child in Region.objects.children_of(region.code).order_by("code"):
        row = values.get(child.code, {})
        strength = maths.strength(input_values(row, _grade_counts(row, grades)), weight_of)
        item = Child(child.code, child.name, child.level, strength, _outcome(outcome, row))
        item.actions = suggested_actions(item, row)
        children.append(item)
    points = [
        maths.Point(c.code, c.strength.score, c.outcome)
        for c in children
        if c.strength.score is not None and c.outcome is not None
    ]
    by_code = {c.code: c for c in children}
    return Analysis(
        region=region,
        outcome=outcome,
        year=year,
        grade_year=grade_year if grades else None,
        children=children,
        points=points,
        strength_median=maths.median([p.strength for p in points]),
        outcome_median=maths.median([p.outcome for p in points]),
        weak_spots=[by_code[p.code] for p in maths.weak_spots(points, outcome.better)],
        comparison=maths.compare_groups(points, outcome.better),
        missing=missing_inputs(),
    )


# --- the choices of the page and the API -------------------------------------------------


@dataclass(frozen=True)
class Choice:
    outcome: str
    year: int
    treatment: str
    treatment_year: int
    years: list[int]


def region_in_scope(scope: Scope, code: str) -> Region:
    region = get_in_scope(Region.objects.all(), scope, code=code)
    if region.is_village:
        raise Http404
    return region


def as_int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def choose(
    region: Region,
    outcome: str | None,
    year: int | None,
    treatment: str | None,
    treatment_year: int | None,
) -> Choice:
    """The asked outcome, year and comparison, or the defaults for anything not offered:
    poverty incidence, this year, first secretaries that came last year."""
    now = figures.this_year()
    years = sorted({*figures.years_with_figures(region.code), now}, reverse=True)
    return Choice(
        outcome if outcome in maths.OUTCOMES_BY_KEY else maths.OUTCOMES[0].key,
        year if year in years else now,
        treatment if treatment in TREATMENTS else "first_secretary",
        treatment_year if treatment_year in years and treatment_year - 1 in years else now - 1,
        years,
    )


# --- before and after ---------------------------------------------------------------------


@dataclass
class BeforeAfterAnalysis:
    treatment: str
    year: int  # the year of the change
    before_year: int
    after_year: int
    result: maths.BeforeAfter | None  # None: poverty incidence is not in the catalogue
    by_child: list[tuple[str, str, maths.BeforeAfter]]  # (code, name, result) per child


def _in_post(stints: list[tuple[datetime.date, datetime.date | None]], day: datetime.date) -> bool:
    return any(start <= day and (end is None or end >= day) for start, end in stints)


def _overlaps(
    stints: list[tuple[datetime.date, datetime.date | None]],
    first: datetime.date,
    last: datetime.date,
) -> bool:
    return any(start <= last and (end is None or end >= first) for start, end in stints)


def first_secretary_groups(
    region_code: str, year: int, after_year: int
) -> tuple[set[str], set[str]]:
    """(treated, touched): villages with no first secretary in post on 31 December of the
    year before that got one in `year`; and every village with a first secretary at any
    time from the year before to `after_year` (no control)."""
    stints: dict[str, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    rows = TeamMember.objects.filter(
        codes.within("team__village_id", region_code), role=MemberRole.FIRST_SECRETARY
    ).values_list("team__village_id", "starts_on", "ended_on")
    for village, starts_on, ended_on in rows:
        stints[village].append((starts_on, ended_on))
    eve = datetime.date(year - 1, 12, 31)
    treated = {
        village
        for village, spans in stints.items()
        if not _in_post(spans, eve) and any(start.year == year for start, _end in spans)
    }
    first, last = datetime.date(year - 1, 1, 1), datetime.date(after_year, 12, 31)
    touched = {village for village, spans in stints.items() if _overlaps(spans, first, last)}
    return treated, touched


def rectification_groups(region_code: str, year: int, after_year: int) -> tuple[set[str], set[str]]:
    """(treated, touched): villages whose weak-branch designation was closed in `year`;
    and every village designated for any year from the year before to `after_year`, or
    still being rectified (no control)."""
    designations = WeakBranchDesignation.objects.filter(codes.within("region_code", region_code))
    treated = set(
        designations.filter(
            status=WeakBranchDesignation.Status.CLOSED, closed_on__year=year
        ).values_list("region_code", flat=True)
    )
    touched = set(
        designations.filter(
            Q(year__gte=year - 1, year__lte=after_year)
            | Q(status=WeakBranchDesignation.Status.RECTIFYING)
        ).values_list("region_code", flat=True)
    )
    return treated, touched


def village_incidence(region_code: str, years: Iterable[int]) -> dict[str, dict[int, float]]:
    """Each village's stored poverty incidence (%) in each of `years` where it has one."""
    indicator = registered().indicators.get(INCIDENCE)
    if indicator is None:
        return {}
    years = list(years)
    store = figures.load(
        Q(level=Level.VILLAGE) & codes.within("region_code", region_code), [indicator], years
    )
    found: dict[str, dict[int, float]] = defaultdict(dict)
    for code in sorted({code for code, _m, _y in store}):
        for year in years:
            value = figures.value_of(store, indicator, code, year).value
            if value is not None:
                found[code][year] = value
    return dict(found)


def before_after(region: Region, treatment: str, year: int, this_year: int) -> BeforeAfterAnalysis:
    """Villages that got a first secretary (or finished rectification) in `year` against
    the villages nearest to them in incidence the year before that did not: the change of
    incidence from the year before to the year after (this year at the latest)."""
    before_year, after_year = year - 1, min(year + 1, this_year)
    groups = rectification_groups if treatment == "rectification" else first_secretary_groups
    treated_codes, touched = groups(region.code, year, after_year)
    incidence = village_incidence(region.code, (before_year, after_year))
    outcome = maths.OUTCOMES_BY_KEY[INCIDENCE]
    if not incidence and INCIDENCE not in registered().indicators:
        return BeforeAfterAnalysis(treatment, year, before_year, after_year, None, [])
    units = {
        code: maths.Unit(code, by_year[before_year], by_year[after_year])
        for code, by_year in incidence.items()
        if before_year in by_year and after_year in by_year
    }
    treated = [units[c] for c in sorted(treated_codes) if c in units]
    controls = [u for c, u in units.items() if c not in touched and c not in treated_codes]
    result = maths.before_after(treated, controls, outcome.better)
    by_child = []
    if region.level < Level.TOWNSHIP:
        # Above the township, the same comparison child by child, matched within it.
        for child in Region.objects.children_of(region.code).order_by("code"):
            mine = [u for u in treated if codes.contains(child.code, u.code)]
            if mine:
                theirs = [u for u in controls if codes.contains(child.code, u.code)]
                by_child.append(
                    (child.code, child.name, maths.before_after(mine, theirs, outcome.better))
                )
    return BeforeAfterAnalysis(treatment, year, before_year, after_year, result, by_child)
