"""The incentive ranking on a worked example computed by hand, and the achievements it
counts from the register (paired households only, within the pairing)."""

import datetime
from decimal import Decimal

import pytest

from baolei.cadres.choices import AchievementKind
from baolei.cadres.models import Cadre
from baolei.cadres.services import ranking
from baolei.cadres.services.achievements import Period, computed_for, counts_for
from baolei.registry import choices
from baolei.registry.models import StatusChange
from tests.cadres.factories import AchievementFactory, AssessmentFactory, CadreFactory
from tests.registry.factories import (
    HelperFactory,
    HouseholdFactory,
    MonitoringCaseFactory,
    PairingFactory,
    VisitFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PERIOD = Period(datetime.date(2022, 1, 1), datetime.date(2024, 12, 31))
D = datetime.date


def exit_of(household, on):
    return StatusChange.objects.create(
        household=household,
        from_status=choices.PovertyStatus.NOT_LIFTED,
        to_status=choices.PovertyStatus.LIFTED_WITH_POLICY,
        changed_on=on,
        decided_by="阳新县扶贫开发领导小组",
    )


def helper_cadre(**kwargs):
    helper = HelperFactory(region_code="420222100")
    return CadreFactory(person=helper.person, helper=helper, **kwargs)


@pytest.fixture
def example():
    """A: a helper whose paired household exited and had its risk eliminated during the
    pairing, 3 visits in the period (and one before), assessed 90 in 2024.
    Score 1×5 + 1×4 + 3×0.5 + 90×0.5 = 55.50.
    B: no helper record; 2 projects (one entry of quantity 2), 1 other, assessed 95.
    Score 2×6 + 1×2 + 95×0.5 = 61.50.
    C: 1 project, assessed 85: 6 + 42.5 = 48.50.
    D: 1 project, 1 other, assessed 81: 6 + 2 + 40.5 = 48.50, a tie with C broken by the
    assessment (85 before 81)."""
    a = helper_cadre()
    h1 = HouseholdFactory()
    PairingFactory(helper=a.helper, household=h1, started_on=D(2021, 1, 1))
    exit_of(h1, D(2022, 11, 10))
    MonitoringCaseFactory(
        household=h1, status=choices.CaseStatus.RISK_ELIMINATED, eliminated_on=D(2023, 6, 1)
    )
    for day in (D(2021, 5, 1), D(2022, 3, 1), D(2023, 3, 1), D(2024, 3, 1)):
        VisitFactory(household=h1, helper=a.helper, visited_on=day)
    # Paired with A only after it had exited: not A's achievement.
    h2 = HouseholdFactory()
    exit_of(h2, D(2020, 11, 1))
    PairingFactory(helper=a.helper, household=h2, started_on=D(2023, 1, 1))
    # Another helper's household that exited in the period: not A's either.
    other = HelperFactory(region_code="420222100")
    h3 = HouseholdFactory()
    PairingFactory(helper=other, household=h3, started_on=D(2021, 1, 1))
    exit_of(h3, D(2022, 12, 1))
    AssessmentFactory(cadre=a, year=2024, score=Decimal("90"))
    AssessmentFactory(cadre=a, year=2023, score=Decimal("99"))  # not the latest

    b = CadreFactory()
    AchievementFactory(cadre=b, kind=AchievementKind.PROJECT, quantity=2, achieved_on=D(2023, 5, 1))
    AchievementFactory(cadre=b, kind=AchievementKind.OTHER, achieved_on=D(2024, 1, 1))
    AchievementFactory(cadre=b, kind=AchievementKind.PROJECT, achieved_on=D(2021, 1, 1))  # before
    AssessmentFactory(cadre=b, year=2024, score=Decimal("95"))

    c = CadreFactory()
    AchievementFactory(cadre=c, kind=AchievementKind.PROJECT, achieved_on=D(2022, 6, 1))
    AssessmentFactory(cadre=c, year=2024, score=Decimal("85"))

    d = CadreFactory()
    AchievementFactory(cadre=d, kind=AchievementKind.PROJECT, achieved_on=D(2022, 6, 1))
    AchievementFactory(cadre=d, kind=AchievementKind.OTHER, achieved_on=D(2022, 7, 1))
    AssessmentFactory(cadre=d, year=2024, score=Decimal("81"))
    return {"a": a, "b": b, "c": c, "d": d, "h1": h1, "h2": h2, "h3": h3}


def test_the_ranking_orders_cadres_by_the_hand_computed_scores(example):
    entries = ranking.rank(Cadre.objects.all(), PERIOD)
    order = [entry.cadre for entry in entries]
    e = example
    assert order == [e["b"], e["a"], e["c"], e["d"]]
    assert [entry.score for entry in entries] == [
        Decimal("61.50"),
        Decimal("55.50"),
        Decimal("48.50"),
        Decimal("48.50"),
    ]
    assert [entry.rank for entry in entries] == [1, 2, 3, 4]


def test_each_rank_is_explained_term_by_term(example):
    entries = {entry.cadre.pk: entry for entry in ranking.rank(Cadre.objects.all(), PERIOD)}
    a = entries[example["a"].pk]
    terms = {term.key: (term.count, term.points) for term in a.terms}
    assert terms == {
        "lifted": (1, Decimal("5.00")),
        "risk_eliminated": (1, Decimal("4.00")),
        "project": (0, Decimal("0.00")),
        "visit": (3, Decimal("1.50")),
        "other": (0, Decimal("0.00")),
        "assessment": (Decimal("90"), Decimal("45.00")),
    }
    assert a.assessment_year == 2024
    basis = a.basis(ranking.Weights(), PERIOD)
    assert basis["score"] == "55.50" and basis["rank"] == 2 and basis["of"] == 4
    assert basis["period"] == ["2022-01-01", "2024-12-31"]


def test_the_ranking_is_the_same_every_time_and_ties_follow_the_stable_key(example):
    first = [entry.cadre.pk for entry in ranking.rank(Cadre.objects.all(), PERIOD)]
    again = [entry.cadre.pk for entry in ranking.rank(Cadre.objects.order_by("-pk"), PERIOD)]
    assert first == again
    # Equal scores and equal assessments: the lower id comes first.
    example["d"].assessments.update(score=Decimal("85"))
    example["d"].achievements.filter(kind=AchievementKind.OTHER).delete()
    AchievementFactory(cadre=example["c"], kind=AchievementKind.OTHER, achieved_on=D(2022, 1, 2))
    AchievementFactory(cadre=example["d"], kind=AchievementKind.OTHER, achieved_on=D(2022, 1, 2))
    tail = ranking.rank(Cadre.objects.all(), PERIOD)[2:]
    assert [entry.score for entry in tail] == [Decimal("50.50"), Decimal("50.50")]
    assert [entry.cadre for entry in tail] == sorted(
        [example["c"], example["d"]], key=lambda c: c.pk
    )


def test_weights_change_the_order(example):
    # Households lifted are worth 20 points: A (20+4+1.5+45 = 70.50) passes B (61.50).
    weights = ranking.Weights(lifted=Decimal("20"))
    entries = ranking.rank(Cadre.objects.all(), PERIOD, weights)
    assert entries[0].cadre == example["a"] and entries[0].score == Decimal("70.50")


def test_visits_count_up_to_the_cap(example):
    weights = ranking.Weights(visit_cap=2)
    entry = ranking.entry_for(example["a"], Cadre.objects.all(), PERIOD, weights)
    visit = next(term for term in entry.terms if term.key == "visit")
    assert (visit.count, visit.counted, visit.points) == (3, 2, Decimal("1.00"))


def test_a_paired_household_that_exits_counts_and_another_does_not(example):
    rows = computed_for(example["a"], PERIOD)
    lifted = [row for row in rows if row.kind == AchievementKind.LIFTED]
    assert [row.household_id for row in lifted] == [example["h1"].pk]
    assert lifted[0].source == "status_change" and lifted[0].on == D(2022, 11, 10)
    risks = [row for row in rows if row.kind == AchievementKind.RISK_ELIMINATED]
    assert [(row.household_id, row.source) for row in risks] == [
        (example["h1"].pk, "monitoring_case")
    ]
    assert len([row for row in rows if row.kind == AchievementKind.VISIT]) == 3


def test_an_exit_after_the_pairing_ended_is_not_counted(example):
    a = example["a"]
    a.helper.pairings.filter(household=example["h1"]).update(ended_on=D(2022, 6, 30))
    counts = counts_for([a], PERIOD)[a.pk]
    assert counts[AchievementKind.LIFTED] == 0
    assert counts[AchievementKind.RISK_ELIMINATED] == 0  # eliminated in 2023, after it ended
    assert counts[AchievementKind.VISIT] == 3  # visits are the helper's own, paired or not
