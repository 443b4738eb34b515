"""Selecting first secretaries: the villages that need one (the gaps), and
matching runs (propose, adjust, confirm).

The criteria themselves are in `services.criteria`.

A village needs a first secretary when its branch is graded weak and lax
(`organisation.grading.weak_village_codes`) or it has at least the rules'
`monitored_threshold` open monitoring cases; a gap is such a village without an active
first secretary.

A village's poverty is high, for matching, when its poverty incidence reaches the rules'
`poverty_incidence_threshold` (3% by default): the incidence is the registry's own
(`registry.rules.incidence_verdict` on `poor_people` and the rural population recorded
for the year or carried forward). A village without a recorded population is judged by
the number of its registered poor households against `poverty_threshold` instead, and the
needs say which basis was used.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, scoped
from baolei.cadres.models import (
    Cadre,
    Candidate,
    CandidateStatus,
    Industry,
    MatchingPair,
    MatchingRun,
    MemberRole,
    RunStatus,
    SelectionRules,
    TeamMember,
    TeamStatus,
    VillageProfile,
    WorkTeam,
)
from baolei.cadres.services import matching
from baolei.cadres.services.criteria import (
    cached_rules,
    evaluate_all,
    selection_rules,
)
from baolei.cadres.services.teams import (
    TeamsError,
    _check_in_scope,
    add_years,
    current_first_secretary_villages,
    do_add_member,
    do_create_team,
)
from baolei.messages import lazy_format
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry import choices as registry_choices
from baolei.registry.models import AnnualStandard, Household, MonitoringCase
from baolei.registry.services import rules as registry_rules

OPEN_CASES = (registry_choices.CaseStatus.IDENTIFYING, registry_choices.CaseStatus.MONITORED)

REASON_LABELS = {
    "weak_branch": _("Weak and lax branch × experience with weak branches"),
    # The label of runs made before the basis was recorded (always the count then).
    "high_poverty": _("Many registered poor households × targeted-assistance experience"),
    "monitored": _("Monitored households × targeted-assistance experience"),
    "industry": _("Main industry among the candidate's industries"),
    "agriculture": _("Farming village × agricultural experience"),
    "local": _("Works in the village's township"),
}


# --- rules ---


@transaction.atomic
def do_set_selection_rules(actor, region_code: str, year: int, **values) -> SelectionRules:
    _check_in_scope(actor, region_code, "region_code")
    rules = SelectionRules.objects.filter(region_code=region_code, year=year).first()
    if rules is None:
        rules = SelectionRules(region_code=region_code, year=year)
    for name, value in values.items():
        setattr(rules, name, value)
    if rules.reference_date is None:
        rules.reference_date = datetime.date(year, 1, 1)
    rules.full_clean(validate_unique=False, validate_constraints=False)
    rules.save()
    return rules


# --- needs and gaps ----------------------------------------------------------------------


def weak_villages(region_code: str, year: int) -> set[str]:
    """Villages whose branch is graded weak and lax, from the organisation app; empty while
    that grading is not installed."""
    try:
        from baolei.organisation.services.grading import weak_village_codes
    except ImportError:
        return set()
    return {code for code in weak_village_codes(region_code, year) if code.startswith(region_code)}


INCIDENCE = "incidence"
REGISTERED = "registered"


@dataclass
class Need:
    village: Region
    weak_branch: bool
    registered: int
    monitored: int
    industry: str
    has_first_secretary: bool
    high_poverty: bool = False
    # How `high_poverty` was judged: INCIDENCE (with the figure, "3.50% (7/200)") or,
    # without a recorded population, REGISTERED; and the threshold it was judged by.
    poverty_basis: str = REGISTERED
    incidence: str = ""
    poverty_threshold: str = ""

    @property
    def needs_one(self) -> bool:
        return self.weak_branch or self.monitored_high

    monitored_high: bool = False

    def as_needs(self) -> matching.VillageNeeds:
        return matching.VillageNeeds(
            code=self.village.code,
            weak_branch=self.weak_branch,
            high_poverty=self.high_poverty,
            monitored=self.monitored,
            industry=self.industry,
        )

    def as_json(self) -> dict:
        return {
            "weak_branch": self.weak_branch,
            "registered": self.registered,
            "monitored": self.monitored,
            "industry": self.industry,
            "high_poverty": self.high_poverty,
            "poverty_basis": self.poverty_basis,
            "incidence": self.incidence,
            "poverty_threshold": self.poverty_threshold,
        }


def _judge_poverty(need: Need, rules: SelectionRules, poor: int, population, year: int) -> None:
    """Set `need.high_poverty` and its basis: the incidence where the village's rural
    population is recorded, else the count of registered poor households.

    The incidence is computed and compared by the registry's `incidence_verdict`, given a
    standard whose limits are the rules' threshold: "below the limit" is then "not high",
    and the measured figure is the one the registry's pages show. No second formula."""
    if population is None:
        need.poverty_basis = REGISTERED
        need.high_poverty = need.registered >= rules.poverty_threshold
        need.poverty_threshold = str(rules.poverty_threshold)
        return
    threshold = rules.poverty_incidence_threshold
    limits = AnnualStandard(
        year=year, village_incidence_limit=threshold, western_incidence_limit=threshold
    )
    verdict = registry_rules.incidence_verdict(need.village.code, poor, population, limits, year)
    criterion = verdict.criteria[0]
    need.poverty_basis = INCIDENCE
    need.high_poverty = criterion.checked and not criterion.passed
    need.incidence = criterion.measured
    need.poverty_threshold = f"{registry_rules.percent(Decimal(threshold))}%"


def village_needs(region_code: str, year: int, *, only_gaps: bool = False) -> list[Need]:
    """Every village of the region with its needs (set-based: one query per figure), or
    with `only_gaps` the villages that need a first secretary and lack one: their poverty
    alone is then judged, so that the people of the whole register are not counted for a
    few villages."""
    rules = selection_rules(region_code, year)
    villages = list(Region.objects.within(region_code).filter(level=Level.VILLAGE))
    inside = codes.within("household__village_id", region_code)
    monitored = dict(
        MonitoringCase.objects.filter(inside, status__in=OPEN_CASES)
        .values("household__village_id")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("household__village_id", "n")
    )
    registered = dict(
        Household.objects.filter(codes.within("village_id", region_code), registered_poor=True)
        .values("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    industries = dict(
        VillageProfile.objects.filter(codes.within("village_id", region_code)).values_list(
            "village_id", "main_industry"
        )
    )
    weak = weak_villages(region_code, year)
    served = current_first_secretary_villages(
        TeamMember.objects.filter(codes.within("team__village_id", region_code))
    )
    needs = []
    for village in villages:
        code = village.code
        need = Need(
            village=village,
            weak_branch=code in weak,
            registered=registered.get(code, 0),
            monitored=monitored.get(code, 0),
            industry=industries.get(code, ""),
            has_first_secretary=code in served,
        )
        need.monitored_high = need.monitored >= rules.monitored_threshold
        if not only_gaps or (need.needs_one and not need.has_first_secretary):
            needs.append(need)
    _judge_all_poverty(needs, rules, region_code, year)
    return needs


def _judge_all_poverty(needs: list[Need], rules: SelectionRules, region: str, year: int) -> None:
    """Poverty of every village in `needs`: two queries (the populations, and the poor
    people of the villages that have one), none when no village has a population."""
    populations = registry_rules.populations_within(region, year)
    counted = [n.village.code for n in needs if n.village.code in populations]
    where = (
        Q(household__village_id__in=counted)
        if len(counted) <= 500  # a short list of villages, else the whole region
        else codes.within("household__village_id", region)
    )
    poor = registry_rules.poor_people(where, year) if counted else {}
    for need in needs:
        code = need.village.code
        _judge_poverty(need, rules, poor.get(code, 0), populations.get(code), year)


def gaps(region_code: str, year: int) -> list[Need]:
    return village_needs(region_code, year, only_gaps=True)


# --- matching runs -----------------------------------------------------------------------


def pool_for(scope: Scope, region_code: str, year: int) -> QuerySet[Candidate]:
    """Candidates in the pool of the region, of a region above it, or below it, in scope."""
    above = [*codes.ancestors_of(region_code), region_code]
    return scoped(
        Candidate.objects.filter(
            Q(region_code__in=above) | codes.within("region_code", region_code),
            year=year,
            status=CandidateStatus.POOL,
        ).select_related("cadre__person"),
        scope,
    )


def strengths(candidate: Candidate) -> matching.Strengths:
    code = candidate.cadre.region_code
    return matching.Strengths(
        key=candidate.pk,
        weak_branch=candidate.weak_branch_experience,
        assistance=candidate.assistance_experience,
        agriculture=candidate.agriculture_experience,
        industries=frozenset(candidate.industries),
        township=code[:9] if len(code) >= 9 else "",
    )


def free_pool(scope: Scope, region_code: str, year: int) -> QuerySet[Candidate]:
    """The pool less those already serving in a work team (the database filters them, so
    a pool of thousands is not loaded to drop most of it)."""
    busy = TeamMember.objects.filter(ended_on__isnull=True).values("cadre_id")
    return pool_for(scope, region_code, year).exclude(cadre_id__in=busy)


def eligible_candidates(scope: Scope, region_code: str, year: int) -> list[Candidate]:
    pool = list(free_pool(scope, region_code, year))
    return [e.candidate for e in evaluate_all(pool, cached_rules()) if e.eligible]


@transaction.atomic
def do_start_matching(
    actor, scope: Scope, region_code: str, year: int, starts_on: datetime.date
) -> MatchingRun:
    _check_in_scope(scope, region_code, "region")
    villages = gaps(region_code, year)
    candidates = eligible_candidates(scope, region_code, year)
    scores = matching.score_matrix(
        [strengths(c) for c in candidates], [v.as_needs() for v in villages]
    )
    chosen = {col: candidates[row] for row, col in matching.solve(scores)}
    run = MatchingRun.objects.create(
        region_code=region_code, year=year, starts_on=starts_on, created_by=actor
    )
    pairs = []
    for col, need in enumerate(villages):
        candidate = chosen.get(col)
        reasons = matching.explain(need.as_needs(), strengths(candidate)) if candidate else []
        pairs.append(
            MatchingPair(
                run=run,
                village=need.village,
                candidate=candidate,
                fit=sum(p for _r, p in reasons),
                reasons=reasons,
                needs=need.as_json(),
            )
        )
    MatchingPair.objects.bulk_create(pairs)
    run.optimal_fit = sum(p.fit for p in pairs)
    run.save(update_fields=["optimal_fit"])
    return run


def poverty_text(needs: dict) -> str:
    """The poverty need of a pair's `needs` with its basis, for the needs column:
    "high poverty: incidence 3.50% (7/200) ≥ 3.00%", or by the count where no rural
    population is recorded; "" for a run made before the basis was recorded."""
    basis = needs.get("poverty_basis")
    if basis == INCIDENCE:
        template = (
            _("high poverty: incidence %(incidence)s ≥ %(threshold)s")
            if needs.get("high_poverty")
            else _("incidence %(incidence)s < %(threshold)s")
        )
    elif basis == REGISTERED:
        template = (
            _(
                "high poverty: %(registered)s registered poor households ≥ %(threshold)s "
                "(no rural population recorded)"
            )
            if needs.get("high_poverty")
            else _(
                "%(registered)s registered poor households < %(threshold)s "
                "(no rural population recorded)"
            )
        )
    else:
        return ""
    return str(template) % {
        "incidence": needs.get("incidence", ""),
        "registered": needs.get("registered", 0),
        "threshold": needs.get("poverty_threshold", ""),
    }


def reason_label(code: str, needs: dict) -> str:
    """A reason of a pair's fit, for people; the poverty reason names its basis."""
    if code == "high_poverty" and needs.get("poverty_basis"):
        return str(
            lazy_format(
                _("%(poverty)s × targeted-assistance experience"), poverty=poverty_text(needs)
            )
        )
    return str(REASON_LABELS.get(code, code))


def explained(reasons: list, needs: dict) -> list[tuple[str, int]]:
    return [(reason_label(code, needs), points) for code, points in reasons]


def run_total(run: MatchingRun) -> int:
    return sum(run.pairs.values_list("fit", flat=True))


def _needs_of(pair: MatchingPair) -> matching.VillageNeeds:
    n = pair.needs
    return matching.VillageNeeds(
        code=pair.village_id,
        weak_branch=n.get("weak_branch", False),
        high_poverty=n.get("high_poverty", False),
        monitored=n.get("monitored", 0),
        industry=n.get("industry", ""),
    )


def _check_proposed(run: MatchingRun) -> None:
    if run.status != RunStatus.PROPOSED:
        raise TeamsError("run_closed", _("This proposal has already been confirmed or discarded."))


ADJUST_CHOICES = 20  # candidates offered for one village: the best fits, not the pool


@dataclass
class Option:
    """A candidate who could take a pair's village, with the fit they would bring."""

    candidate: Candidate
    reasons: list[tuple[str, int]]

    @property
    def fit(self) -> int:
        return sum(points for _reason, points in self.reasons)


def pair_options(
    scope: Scope, pair: MatchingPair, query: str = "", limit: int = ADJUST_CHOICES
) -> list[Option]:
    """Who could take this village instead: free (in no team, proposed for no other village
    of the run), passing the criteria, named like `query`; best fit first, at most `limit`,
    so that the officer never has to scroll through the whole pool."""
    run = pair.run
    proposed = run.pairs.filter(candidate__isnull=False).values("candidate_id")
    pool = free_pool(scope, run.region_code, run.year).exclude(pk__in=proposed)
    if query.strip():
        pool = pool.filter(cadre__person__name__icontains=query.strip())
    needs = _needs_of(pair)
    options = [
        Option(e.candidate, matching.explain(needs, strengths(e.candidate)))
        for e in evaluate_all(list(pool), cached_rules())
        if e.eligible
    ]
    options.sort(key=lambda o: (-o.fit, o.candidate.cadre.person.name, o.candidate.pk))
    return options[:limit]


def _check_free_and_eligible(scope: Scope, run: MatchingRun, candidate: Candidate) -> None:
    """The chosen candidate alone is checked (pool, team, criteria): re-evaluating the
    whole pool on every change would cost thousands of evaluations per click."""
    found = free_pool(scope, run.region_code, run.year).filter(pk=candidate.pk).first()
    if found is None or not evaluate_all([found], cached_rules())[0].eligible:
        raise TeamsError(
            "not_eligible", _("This candidate does not meet the criteria."), field="candidate"
        )


def _check_not_taken(run: MatchingRun, pair: MatchingPair, candidate: Candidate) -> None:
    taken = run.pairs.filter(candidate=candidate).exclude(pk=pair.pk).select_related("village")
    other = taken.first()
    if other is not None:
        raise TeamsError(
            "candidate_taken",
            lazy_format(
                _("%(name)s is already proposed for %(village)s."),
                name=candidate.cadre.person.name,
                village=other.village.name,
            ),
            field="candidate",
        )


@transaction.atomic
def do_adjust_pair(
    actor, scope: Scope, pair: MatchingPair, candidate: Candidate | None
) -> MatchingPair:
    """Put another candidate (or nobody) on one village; a candidate already proposed for
    another village of the run, serving in a team or failing the criteria is refused."""
    run = MatchingRun.objects.select_for_update().get(pk=pair.run_id)
    _check_proposed(run)
    _check_in_scope(scope, pair.village_id)
    if candidate is not None:
        _check_not_taken(run, pair, candidate)
        _check_free_and_eligible(scope, run, candidate)
    reasons = matching.explain(_needs_of(pair), strengths(candidate)) if candidate else []
    pair.candidate = candidate
    pair.reasons = reasons
    pair.fit = sum(p for _r, p in reasons)
    pair.adjusted = True
    pair.save(update_fields=["candidate", "reasons", "fit", "adjusted"])
    return pair


@transaction.atomic
def do_confirm_run(actor, scope: Scope, run: MatchingRun) -> list[TeamMember]:
    """Appoint every proposed candidate as first secretary of their village (joining its
    active work team, or starting one dispatched by the candidate's unit), all or none."""
    run = MatchingRun.objects.select_for_update().get(pk=run.pk)
    _check_proposed(run)
    appointed = []
    pairs = run.pairs.filter(candidate__isnull=False).select_related(
        "village", "candidate__cadre__person"
    )
    for pair in pairs:
        cadre = pair.candidate.cadre
        team = WorkTeam.objects.filter(village=pair.village, status=TeamStatus.ACTIVE).first()
        if team is None:
            team = do_create_team(
                scope, pair.village, cadre.unit, run.starts_on, add_years(run.starts_on, 2)
            )
        starts_on = max(run.starts_on, team.starts_on)
        appointed.append(do_add_member(scope, team, cadre, MemberRole.FIRST_SECRETARY, starts_on))
        pair.candidate.status = CandidateStatus.APPOINTED
        pair.candidate.save(update_fields=["status"])
    run.status, run.confirmed_at = RunStatus.CONFIRMED, timezone.now()
    run.save(update_fields=["status", "confirmed_at"])
    return appointed


@transaction.atomic
def do_discard_run(actor, scope: Scope, run: MatchingRun) -> MatchingRun:
    """Drop a proposal nobody will confirm: it stays on record, marked discarded, and
    appoints nobody. Locked like confirmation so that the two cannot both happen."""
    run = MatchingRun.objects.select_for_update().get(pk=run.pk)
    _check_in_scope(scope, run.region_code, "region")
    _check_proposed(run)
    run.status = RunStatus.DISCARDED
    run.save(update_fields=["status"])
    return run


def cadres_for(scope: Scope) -> QuerySet[Cadre]:
    return scoped(Cadre.objects.select_related("person"), scope)


@transaction.atomic
def do_put_forward(actor, cadre: Cadre, year: int, **strengths_: object) -> Candidate:
    """Put a cadre into the year's pool of the region where they work."""
    _check_in_scope(actor, cadre.region_code, "cadre")
    if Candidate.objects.filter(cadre=cadre, year=year).exists():
        raise TeamsError(
            "already_candidate",
            lazy_format(
                _("%(name)s is already a candidate for %(year)s."),
                name=cadre.person.name,
                year=year,
            ),
            field="cadre",
        )
    industries = list(strengths_.pop("industries", None) or [])
    unknown = [code for code in industries if code not in Industry.values]
    if unknown:
        raise TeamsError("industry", _("Unknown industry."), field="industries")
    return Candidate.objects.create(
        cadre=cadre, region_code=cadre.region_code, year=year, industries=industries, **strengths_
    )


@transaction.atomic
def do_set_main_industry(actor, village: Region, industry: str) -> VillageProfile:
    _check_in_scope(actor, village.code, "village")
    if industry and industry not in Industry.values:
        raise TeamsError("industry", _("Unknown industry."), field="main_industry")
    profile, _created = VillageProfile.objects.update_or_create(
        village=village, defaults={"main_industry": industry}
    )
    return profile
