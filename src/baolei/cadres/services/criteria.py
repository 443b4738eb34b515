"""The selection criteria of first secretaries: the rules per region and year, and each
candidate evaluated criterion by criterion (`Criterion`: label, passed, value) so the pages
show why a candidate passes or fails. "No disciplinary record" means no sanction in
effect on the reference date (decided on or before it and not ended before it; a
sanction without an end date stays in effect). The appointment of a first secretary
(`services.teams`) checks the hard criteria here, so this module imports no team logic.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baolei.cadres.choices import Education, PoliticalStatus
from baolei.cadres.models import (
    Cadre,
    Candidate,
    DisciplinaryRecord,
    SelectionRules,
)
from baolei.idnumbers import age_on
from baolei.messages import lazy_format
from baolei.regions import codes

EDUCATION_ORDER = list(Education.values)  # highest first


# --- rules -------------------------------------------------------------------------------


def selection_rules(code: str, year: int) -> SelectionRules:
    """The rules of the most specific region containing `code`, or the defaults."""
    prefixes = [*codes.ancestors_of(code), code] if code else []
    found = {
        r.region_code: r for r in SelectionRules.objects.filter(region_code__in=prefixes, year=year)
    }
    for prefix in reversed(prefixes):
        if prefix in found:
            return found[prefix]
    return SelectionRules(region_code="", year=year, reference_date=datetime.date(year, 1, 1))


# --- criteria ----------------------------------------------------------------------------


@dataclass
class Criterion:
    code: str
    label: str
    passed: bool
    value: str


@dataclass
class Evaluation:
    candidate: Candidate
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(c.passed for c in self.criteria)


def sanctions_in_effect(cadre_ids: list[int], on: datetime.date) -> Counter:
    return Counter(
        DisciplinaryRecord.objects.filter(cadre_id__in=cadre_ids, decided_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .values_list("cadre_id", flat=True)
    )


def evaluate(candidate: Candidate, rules: SelectionRules, sanctions: int) -> Evaluation:
    cadre = candidate.cadre
    on = rules.reference_date
    result = Evaluation(candidate)
    add = result.criteria.append
    if rules.party_member_required:
        add(
            Criterion(
                "party_member",
                _("Party member"),
                cadre.political_status == PoliticalStatus.PARTY_MEMBER,
                cadre.get_political_status_display(),
            )
        )
    if rules.no_discipline_required:
        add(
            Criterion(
                "discipline",
                _("No disciplinary sanction in effect"),
                sanctions == 0,
                # A bare "0 ✓" read as a score: say what was counted.
                str(
                    lazy_format(_("%(count)s in effect"), count=sanctions)
                    if sanctions
                    else _("no sanction in effect")
                ),
            )
        )
    if rules.max_age is not None:
        age = age_on(cadre.person.birth_date, on)
        add(
            Criterion(
                "age",
                lazy_format(_("Aged %(limit)s or under"), limit=rules.max_age),
                age <= rules.max_age,
                str(age),
            )
        )
    if rules.min_experience_years:
        years = cadre.years_of_experience(on)
        add(
            Criterion(
                "experience",
                lazy_format(
                    _("At least %(years)s years of work"), years=rules.min_experience_years
                ),
                years is not None and years >= rules.min_experience_years,
                "—" if years is None else str(years),
            )
        )
    if rules.min_education:
        add(
            Criterion(
                "education",
                lazy_format(
                    _("Education: %(level)s or higher"), level=rules.get_min_education_display()
                ),
                cadre.education in EDUCATION_ORDER
                and EDUCATION_ORDER.index(cadre.education)
                <= EDUCATION_ORDER.index(rules.min_education),
                cadre.get_education_display(),
            )
        )
    keywords = rules.keyword_list()
    if keywords:
        text = f"{cadre.specialities}\n{candidate.experience}"
        matched = [word for word in keywords if word in text]
        add(
            Criterion(
                "keywords", _("Relevant experience"), bool(matched), "、".join(matched) or "—"
            )
        )
    return result


HARD_CRITERIA = ("party_member", "discipline")


def hard_criteria_failures(cadre: Cadre, village_code: str, on: datetime.date) -> list[Criterion]:
    """The criteria no first secretary may be appointed without, however they come into
    post (matching, a direct appointment, a rotation): party membership and no sanction in
    effect on `on`, as far as the selection rules of the village's region require them.
    Evaluated by `evaluate` itself, on rules narrowed to these two, so that the pool's
    filter and the appointment can never disagree."""
    rules = selection_rules(village_code, on.year)
    hard = SelectionRules(
        party_member_required=rules.party_member_required,
        no_discipline_required=rules.no_discipline_required,
        max_age=None,
        min_experience_years=0,
        min_education="",
        keywords="",
        reference_date=on,
    )
    sanctions = sanctions_in_effect([cadre.pk], on)[cadre.pk]
    evaluation = evaluate(Candidate(cadre=cadre, year=on.year), hard, sanctions)
    return [c for c in evaluation.criteria if c.code in HARD_CRITERIA and not c.passed]


def evaluate_all(candidates: list[Candidate], rules_for) -> list[Evaluation]:
    """`rules_for(candidate)` gives each candidate's rules (by pool region and year)."""
    by_date: dict[datetime.date, list[int]] = {}
    rules = {c.pk: rules_for(c) for c in candidates}
    for c in candidates:
        by_date.setdefault(rules[c.pk].reference_date, []).append(c.cadre_id)
    sanctions = {on: sanctions_in_effect(ids, on) for on, ids in by_date.items()}
    return [
        evaluate(c, rules[c.pk], sanctions[rules[c.pk].reference_date][c.cadre_id])
        for c in candidates
    ]


def cached_rules():
    cache: dict[tuple[str, int], SelectionRules] = {}

    def rules_for(candidate: Candidate) -> SelectionRules:
        key = (candidate.region_code, candidate.year)
        if key not in cache:
            cache[key] = selection_rules(*key)
        return cache[key]

    return rules_for
