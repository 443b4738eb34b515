"""Coverage on worked examples computed by hand: which entities an organisation covers,
which have party work, per region with drill-down, and households linked with members."""

import datetime

import pytest
from django.utils import timezone

from baolei.accounts.scope import Scope
from baolei.organisation.choices import HostKind, OrganisationKind, OrganisationStatus
from baolei.organisation.services import coverage
from baolei.organisation.services import organisations as services
from tests.organisation.factories import (
    HostEntityFactory,
    HouseholdLinkFactory,
    PartyMemberFactory,
    PartyOrganisationFactory,
)
from tests.registry.factories import HouseholdFactory, MonitoringCaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

COUNTY = Scope(role="organisation_department", region_code="420222")
XINGGUO = "420222100"
FUCHI_VILLAGE = "420222101001"
OTHER_XINGGUO_VILLAGE = "420222100002"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def entities(today):
    """Six entities of 阳新县, covered (or not) in every way that matters:

    - A: its own active branch                       → organisation and work covered
    - B: covered by an active joint branch           → organisation and work covered
    - C: its own branch was dissolved                → neither (no instructor, no activity)
    - D: an instructor, no organisation              → work covered only
    - E: a party activity 100 days ago               → work covered only
    - F: an activity 400 days ago, in 富池镇          → neither
    """
    a = HostEntityFactory(name="A", size=10)
    b = HostEntityFactory(name="B", size=20, region_code=OTHER_XINGGUO_VILLAGE)
    c = HostEntityFactory(name="C", size=300)
    d = HostEntityFactory(name="D", size=40, instructor="柯志强")
    e = HostEntityFactory(name="E", size=50, last_activity_on=today - datetime.timedelta(days=100))
    f = HostEntityFactory(
        name="F",
        size=60,
        region_code=FUCHI_VILLAGE,
        last_activity_on=today - datetime.timedelta(400),
    )
    PartyOrganisationFactory(host_entity=a)
    joint = PartyOrganisationFactory(
        kind=OrganisationKind.JOINT_BRANCH, region_code=XINGGUO, name="兴国镇合作社联合党支部"
    )
    joint.covered_entities.set([b])
    PartyOrganisationFactory(host_entity=c, status=OrganisationStatus.DISSOLVED)
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}


def test_the_county_counts_each_kind_of_coverage(entities, today):
    table = coverage.entity_coverage(COUNTY, "420222", today)

    # Organisation coverage: A and B of 6; work coverage: A, B, D and E of 6.
    assert (table.total.entities, table.total.organisation, table.total.work) == (6, 2, 4)
    assert table.total.organisation_rate.percent == 33.3
    assert table.total.work_rate.percent == 66.7


def test_drilling_down_splits_the_county_into_townships(entities, today):
    table = coverage.entity_coverage(COUNTY, "420222", today)
    rows = {row.code: row for row in table.rows}

    assert len(rows) == 21  # every township, also those without entities
    assert (rows[XINGGUO].entities, rows[XINGGUO].organisation, rows[XINGGUO].work) == (5, 2, 4)
    assert (rows["420222101"].entities, rows["420222101"].work) == (1, 0)
    assert rows["420222102"].organisation_rate.percent is None  # nothing to count


def test_a_township_splits_into_villages(entities, today):
    table = coverage.entity_coverage(COUNTY, XINGGUO, today)
    rows = {row.code: row for row in table.rows}

    assert (rows["420222100001"].entities, rows["420222100001"].organisation) == (4, 1)
    assert (rows[OTHER_XINGGUO_VILLAGE].entities, rows[OTHER_XINGGUO_VILLAGE].organisation) == (
        1,
        1,
    )


def test_a_dissolved_organisation_covers_nothing_and_dissolving_uncovers(entities, today):
    joint = entities["B"].covering_organisations.get()
    services.do_change_status(
        None,
        joint,
        to_status=OrganisationStatus.DISSOLVED,
        changed_on=today,
        reason="合作社并入龙头企业",
    )

    table = coverage.entity_coverage(COUNTY, "420222", today)
    assert (table.total.organisation, table.total.work) == (1, 3)  # only A; work A, D, E


def test_the_uncovered_are_listed_largest_first_with_their_work_coverage(entities, today):
    uncovered = list(coverage.uncovered_entities(COUNTY, "420222", today))

    assert [e.name for e in uncovered] == ["C", "F", "E", "D"]  # sizes 300, 60, 50, 40
    assert [coverage.work_flag(e, today) for e in uncovered] == [False, False, True, True]


def test_entities_at_the_county_itself_are_counted_apart(entities, today):
    HostEntityFactory(kind=HostKind.ASSOCIATION, name="阳新县茶叶行业协会", region_code="420222")

    table = coverage.entity_coverage(COUNTY, "420222", today)

    assert table.here.entities == 1
    assert table.total.entities == 7
    assert sum(row.entities for row in table.rows) == 6


def test_coverage_counts_only_the_scope(entities, today):
    township = Scope(role="township_officer", region_code="420222101")

    table = coverage.entity_coverage(township, "420222101", today)

    assert (table.total.entities, table.total.organisation) == (1, 0)  # F only


def test_the_counts_take_a_fixed_number_of_queries(entities, today, django_assert_max_num_queries):
    for n in range(20):
        HostEntityFactory(name=f"more {n}")
    with django_assert_max_num_queries(4):
        coverage.entity_coverage(COUNTY, "420222", today)


def test_households_linked_with_a_member(today):
    """Three registered households in 兴国镇 (one monitored), one in 富池镇. Linked: the
    monitored one and one other; a link that ended does not count."""
    monitored = HouseholdFactory()
    MonitoringCaseFactory(household=monitored)
    linked = HouseholdFactory()
    ended = HouseholdFactory()
    HouseholdFactory(number="420222101001000001", village_id=FUCHI_VILLAGE)
    member = PartyMemberFactory()
    HouseholdLinkFactory(member=member, household=monitored)
    HouseholdLinkFactory(member=member, household=linked)
    HouseholdLinkFactory(
        member=member, household=ended, ended_on=today - datetime.timedelta(days=1)
    )

    table = coverage.household_link_coverage(COUNTY, "420222")
    rows = {row.code: row for row in table.rows}

    assert (table.total.registered, table.total.registered_linked) == (4, 2)
    assert table.total.registered_rate.percent == 50.0
    assert (table.total.monitored, table.total.monitored_linked) == (1, 1)
    assert (rows[XINGGUO].registered, rows[XINGGUO].registered_linked) == (3, 2)
    assert rows["420222101"].registered_rate.percent == 0.0
