"""Annual grading of village branches (分类定级): checklists, scores, totals and grades.

A county sets a checklist per year: indicators with a maximum score and a weight, and
grade bands on the percentage of the weighted maximum. A branch's total is the sum of
score × weight; its percentage is that total over the sum of maximum × weight; its grade
is the highest band whose threshold the percentage reaches. `compute()` returns the
explanation line by line, so the page, the API and the export all show why a branch got
its grade.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, scope_of, scoped
from baolei.messages import CodedError, lazy_format
from baolei.organisation.choices import OrganisationKind, OrganisationStatus
from baolei.organisation.models import (
    BranchGrading,
    Grade,
    GradeBand,
    GradingChecklist,
    GradingIndicator,
    IndicatorScore,
    PartyOrganisation,
    WeakBranchDesignation,
)
from baolei.regions import codes

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
EARLIEST_YEAR = 2000

# The four classes of the usual county rules (先进、较好、一般、后进), offered for a new
# checklist; a county may change the thresholds or use star ratings instead.
DEFAULT_BANDS = (
    (Grade.ADVANCED, Decimal(90), False),
    (Grade.GOOD, Decimal(75), False),
    (Grade.AVERAGE, Decimal(60), False),
    (Grade.LAGGING, Decimal(0), True),
)
# Joint and temporary branches span several places or last a while: not graded as a village.
NOT_VILLAGE_KINDS = (OrganisationKind.JOINT_BRANCH, OrganisationKind.TEMPORARY_BRANCH)


class GradingError(CodedError):
    def __init__(self, code: str, message, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


def actor_name(user) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "username", "")) or "system"


# --- branches -----------------------------------------------------------------------------


def village_branches(user_or_scope) -> QuerySet[PartyOrganisation]:
    """The active party organisations built in a village itself (not in a cooperative or
    enterprise) within the scope: the branches that are graded and designated."""
    queryset = (
        PartyOrganisation.objects.annotate(code_length=Length("region_code"))
        .filter(code_length=12, host_entity__isnull=True, status=OrganisationStatus.ACTIVE)
        .exclude(kind__in=NOT_VILLAGE_KINDS)
        # A branch under its village's general branch is graded as part of it.
        .exclude(parent__region_code=F("region_code"))
        .order_by("region_code", "name")
    )
    return scoped(queryset, user_or_scope)


def may_judge(scope: Scope) -> bool:
    """The branch does not grade itself, nor verify or close its own rectification: the
    township or the county does (a scope above the village, or the whole country)."""
    return not scope.empty and (scope.region_code is None or len(scope.region_code) < 12)


def require_village_branch(organisation: PartyOrganisation) -> None:
    if (
        len(organisation.region_code) != 12
        or organisation.host_entity_id is not None
        or organisation.kind in NOT_VILLAGE_KINDS
    ):
        raise GradingError(
            "not_village_branch", _("Only the party organisations of villages are graded.")
        )


# --- checklists ---------------------------------------------------------------------------


def checklist_for(region_code: str, year: int) -> GradingChecklist | None:
    """The checklist that applies to a place in a year: the one set by the nearest region
    above it (a county's own before its province's)."""
    candidates = [*codes.ancestors_of(region_code), region_code]
    found = {
        checklist.region_code: checklist
        for checklist in GradingChecklist.objects.filter(year=year, region_code__in=candidates)
    }
    for code in reversed(candidates):
        if code in found:
            return found[code]
    return None


def set_in_or_above(queryset: QuerySet, scope: Scope) -> QuerySet:
    """The rules (checklists, criteria) set in the scope, and those set above it that
    apply to it."""
    if scope.empty:
        return queryset.none()
    if scope.region_code is None:
        return queryset
    above = codes.ancestors_of(scope.region_code)
    return queryset.filter(scope.q("region_code") | codes_in("region_code", above))


def checklists_visible(scope: Scope) -> QuerySet[GradingChecklist]:
    return set_in_or_above(GradingChecklist.objects.all(), scope)


def codes_in(field_name: str, values: Iterable[str]) -> Q:
    return Q(**{f"{field_name}__in": list(values)})


def may_configure(scope: Scope, region_code: str) -> bool:
    """Checklists and criteria are set by a county or higher, for its own region."""
    return len(region_code) <= 6 and scope.contains(region_code)


@transaction.atomic
def do_create_checklist(
    user,
    region_code: str,
    year: int,
    title: str,
    copy_from: GradingChecklist | None = None,
) -> GradingChecklist:
    if len(region_code) > 6:
        raise GradingError(
            "not_county", _("Checklists are set by a county or a higher region."), "region_code"
        )
    if not EARLIEST_YEAR <= year <= 2100:
        raise GradingError("year", _("Enter a year from 2000 to 2100."), "year")
    if GradingChecklist.objects.filter(region_code=region_code, year=year).exists():
        raise GradingError(
            "exists",
            lazy_format(_("There is already a checklist for %(year)d."), year=year),
            "year",
        )
    checklist = GradingChecklist.objects.create(
        region_code=region_code, year=year, title=title.strip() or str(year)
    )
    if copy_from is not None:
        for indicator in copy_from.indicators.all():
            GradingIndicator.objects.create(
                checklist=checklist,
                position=indicator.position,
                name=indicator.name,
                description=indicator.description,
                max_score=indicator.max_score,
                weight=indicator.weight,
            )
        bands = [(b.grade, b.min_percent, b.counts_as_lagging) for b in copy_from.bands.all()]
    else:
        bands = DEFAULT_BANDS
    for grade, minimum, lagging in bands:
        GradeBand.objects.create(
            checklist=checklist, grade=grade, min_percent=minimum, counts_as_lagging=lagging
        )
    return checklist


def _refuse_if_used(checklist: GradingChecklist) -> None:
    if BranchGrading.objects.filter(checklist=checklist).exists():
        raise GradingError(
            "in_use",
            _(
                "Branches have already been graded by this checklist: its indicators can "
                "no longer change. Set up a checklist for another year instead."
            ),
        )


@transaction.atomic
def do_add_indicator(
    user,
    checklist: GradingChecklist,
    name: str,
    max_score: Decimal,
    weight: Decimal = Decimal(1),
    description: str = "",
) -> GradingIndicator:
    _refuse_if_used(checklist)
    if max_score <= 0:
        raise GradingError("max_score", _("The maximum score must be above zero."), "max_score")
    if weight <= 0:
        raise GradingError("weight", _("The weight must be above zero."), "weight")
    position = checklist.indicators.count() + 1
    return GradingIndicator.objects.create(
        checklist=checklist,
        position=position,
        name=name.strip(),
        max_score=max_score,
        weight=weight,
        description=description,
    )


@transaction.atomic
def do_remove_indicator(user, indicator: GradingIndicator) -> None:
    _refuse_if_used(indicator.checklist)
    indicator.delete()


@transaction.atomic
def do_set_band(
    user, checklist: GradingChecklist, grade: str, min_percent: Decimal, counts_as_lagging: bool
) -> GradeBand:
    """Add a band or change its threshold; regrading follows on the next save of a grading."""
    _refuse_if_used(checklist)
    if not Decimal(0) <= min_percent <= HUNDRED:
        raise GradingError("range", _("A threshold is a percentage from 0 to 100."), "min_percent")
    band, _created = GradeBand.objects.update_or_create(
        checklist=checklist,
        grade=grade,
        defaults={"min_percent": min_percent, "counts_as_lagging": counts_as_lagging},
    )
    return band


@transaction.atomic
def do_remove_band(user, band: GradeBand) -> None:
    _refuse_if_used(band.checklist)
    band.delete()


# --- computing a grading ------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    indicator: GradingIndicator
    score: Decimal
    points: Decimal  # score × weight
    max_points: Decimal  # maximum × weight

    @property
    def explanation(self) -> str:
        return str(
            lazy_format(
                _("%(score)s of %(max)s × weight %(weight)s = %(points)s of %(max_points)s"),
                score=_plain(self.score),
                max=_plain(self.indicator.max_score),
                weight=_plain(self.indicator.weight),
                points=_plain(self.points),
                max_points=_plain(self.max_points),
            )
        )


@dataclass(frozen=True)
class Result:
    lines: list[Line]
    total: Decimal
    max_total: Decimal
    percent: Decimal
    band: GradeBand | None
    missing: list[GradingIndicator] = field(default_factory=list)

    @property
    def grade(self) -> str:
        return self.band.grade if self.band else ""

    @property
    def lagging(self) -> bool:
        return bool(self.band and self.band.counts_as_lagging)

    @property
    def explanation(self) -> str:
        if self.band is None:
            return str(_("No band applies: the checklist has no band for this percentage."))
        return str(
            lazy_format(
                _("%(total)s of %(max)s points = %(percent)s%%, at least %(min)s%%: %(grade)s"),
                total=_plain(self.total),
                max=_plain(self.max_total),
                percent=_plain(self.percent),
                min=_plain(self.band.min_percent),
                grade=self.band.get_grade_display(),
            )
        )


def _plain(value: Decimal) -> str:
    """2.50 → 2.5, 18.00 → 18: how a person writes scores."""
    text = f"{value.quantize(CENT, ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def compute(checklist: GradingChecklist, scores: Mapping[int, Decimal]) -> Result:
    """Total, percentage and grade of `scores` (indicator id → score) on the checklist.

    Indicators without a score count as zero and are listed in `missing`.
    """
    indicators = list(checklist.indicators.all())
    lines, missing = [], []
    for indicator in indicators:
        score = scores.get(indicator.pk)
        if score is None:
            missing.append(indicator)
            score = Decimal(0)
        lines.append(
            Line(
                indicator=indicator,
                score=score,
                points=score * indicator.weight,
                max_points=indicator.max_score * indicator.weight,
            )
        )
    total = sum((line.points for line in lines), Decimal(0))
    max_total = sum((line.max_points for line in lines), Decimal(0))
    percent = (total * HUNDRED / max_total).quantize(CENT, ROUND_HALF_UP) if max_total else CENT * 0
    band = next(
        (b for b in checklist.bands.order_by("-min_percent") if percent >= b.min_percent), None
    )
    return Result(
        lines=lines,
        total=total.quantize(CENT, ROUND_HALF_UP),
        max_total=max_total.quantize(CENT, ROUND_HALF_UP),
        percent=percent,
        band=band,
        missing=missing,
    )


@dataclass(frozen=True)
class ScoreEntry:
    score: Decimal
    evidence: str = ""
    attachment: str = ""


@transaction.atomic
def do_save_grading(
    user,
    organisation: PartyOrganisation,
    year: int,
    entries: Mapping[int, ScoreEntry],
    note: str = "",
    scope: Scope | None = None,
) -> BranchGrading:
    """Record (or re-record) a branch's scores of a year; the total and grade follow.

    Every indicator must be scored, within 0 and its maximum: a grade from half a
    checklist would be a wrong grade. With a `scope`, only one above the village may grade.
    """
    if scope is not None and not may_judge(scope):
        raise GradingError(
            "grader", _("A branch is graded by the township or the county, not the village.")
        )
    require_village_branch(organisation)
    checklist = checklist_for(organisation.region_code, year)
    if checklist is None:
        raise GradingError(
            "no_checklist",
            lazy_format(_("There is no grading checklist for %(year)d yet."), year=year),
            "year",
        )
    indicators = {indicator.pk: indicator for indicator in checklist.indicators.all()}
    if not indicators:
        raise GradingError("empty_checklist", _("The checklist has no indicators yet."))
    for pk, indicator in indicators.items():
        entry = entries.get(pk)
        if entry is None or entry.score is None:
            raise GradingError(
                "missing_score",
                lazy_format(_("Enter a score for “%(name)s”."), name=indicator.name),
                f"score_{pk}",
            )
        if not Decimal(0) <= entry.score <= indicator.max_score:
            raise GradingError(
                "score_range",
                lazy_format(
                    _("The score of “%(name)s” must be from 0 to %(max)s."),
                    name=indicator.name,
                    max=_plain(indicator.max_score),
                ),
                f"score_{pk}",
            )
    result = compute(checklist, {pk: entries[pk].score for pk in indicators})
    grading, _created = BranchGrading.objects.select_for_update().get_or_create(
        organisation=organisation,
        year=year,
        defaults={"checklist": checklist, "region_code": organisation.region_code},
    )
    grading.checklist = checklist
    grading.region_code = organisation.region_code
    grading.total = result.total
    grading.percent = result.percent
    grading.grade = result.grade
    grading.lagging = result.lagging
    grading.note = note
    grading.graded_by = actor_name(user)
    grading.save()
    existing = {score.indicator_id: score for score in grading.scores.all()}
    for pk in indicators:
        entry = entries[pk]
        score = existing.get(pk) or IndicatorScore(grading=grading, indicator_id=pk)
        changed = (score.score, score.evidence, score.attachment) != (
            entry.score,
            entry.evidence,
            entry.attachment,
        )
        if score.pk is None or changed:
            score.score = entry.score
            score.evidence = entry.evidence
            score.attachment = entry.attachment
            score.save()
    return grading


def explain(grading: BranchGrading) -> Result:
    scores = {score.indicator_id: score.score for score in grading.scores.all()}
    return compute(grading.checklist, scores)


# --- overviews ----------------------------------------------------------------------------


def grade_counts(user_or_scope, year: int, region_code: str | None = None) -> dict[str, int]:
    """Graded branches per grade in the scope (and region), plus branches not graded."""
    gradings = scoped(BranchGrading.objects.filter(year=year), user_or_scope)
    branches = village_branches(user_or_scope)
    if region_code:
        gradings = gradings.filter(codes.within("region_code", region_code))
        branches = branches.filter(codes.within("region_code", region_code))
    counts = {row["grade"]: row["n"] for row in gradings.values("grade").annotate(n=Count("id"))}
    graded = sum(counts.values())
    counts["ungraded"] = max(branches.count() - graded, 0)
    return counts


def grade_counts_by_child(user_or_scope, year: int, region_code: str) -> dict[str, dict[str, int]]:
    """Per child region of `region_code` (township, or village): count per grade; nothing
    below a village."""
    child_length = codes.child_length(region_code)
    if child_length is None:
        return {}
    rows = (
        scoped(BranchGrading.objects.filter(year=year), user_or_scope)
        .filter(codes.within("region_code", region_code))
        .values_list("region_code", "grade")
    )
    found: dict[str, dict[str, int]] = {}
    for code, grade in rows:
        per_child = found.setdefault(code[:child_length], {})
        per_child[grade] = per_child.get(grade, 0) + 1
    return found


def grades_used(user_or_scope, year: int, counts: Mapping[str, int]) -> set[str]:
    """The grades a county official expects columns for in `year`: those the bands of the
    year's checklists in or above the scope give (the four classes, or star ratings where
    a checklist rates by stars), and any grade actually recorded. Without a checklist,
    the four classes."""
    checklists = checklists_visible(scope_of(user_or_scope)).filter(year=year)
    used = set(GradeBand.objects.filter(checklist__in=checklists).values_list("grade", flat=True))
    used |= {grade for grade, n in counts.items() if n and grade in Grade.values}
    return used or {band[0] for band in DEFAULT_BANDS}


def weighted_maxima(checklist_ids: Iterable[int]) -> dict[int, Decimal]:
    """Checklist id → its weighted maximum (Σ maximum × weight), in one query."""
    found: dict[int, Decimal] = {}
    indicators = GradingIndicator.objects.filter(checklist_id__in=set(checklist_ids))
    for checklist_id, maximum, weight in indicators.values_list(
        "checklist_id", "max_score", "weight"
    ):
        found[checklist_id] = found.get(checklist_id, Decimal(0)) + maximum * weight
    return {pk: value.quantize(CENT, ROUND_HALF_UP) for pk, value in found.items()}


def plain(value: Decimal) -> str:
    """A score as a person writes it (see `_plain`), for pages."""
    return _plain(value)


def years_graded(user_or_scope) -> list[int]:
    return list(
        scoped(BranchGrading.objects.all(), user_or_scope)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


# --- for the cadres helper ----------------------------------------------------------------


def weak_village_codes(scope_or_region_code, year: int | None = None) -> set[str]:
    """Village codes whose branch is designated weak and lax and not yet closed (销号),
    within a scope (a `Scope` or a user) or a region code; in `year` if given."""
    designations = WeakBranchDesignation.objects.exclude(status=WeakBranchDesignation.Status.CLOSED)
    if isinstance(scope_or_region_code, str):
        designations = designations.filter(codes.within("region_code", scope_or_region_code))
    else:
        designations = scoped(designations, scope_of(scope_or_region_code))
    if year is not None:
        designations = designations.filter(year=year)
    return set(designations.values_list("region_code", flat=True))
