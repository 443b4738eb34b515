"""The organisation's figures on the command centre: counted from the records, read at a
village, a township and the county as a user would expect them (a share above a village is
the ratio of the sums, not an average of the villages' shares), moved by the edits made
through the services, and equal to a recount from scratch.

Three villages: 山川台 and a second village of 兴国镇, and 富池口 of 富池镇. The day of
the count is 15 May 2025, so the last finished quarter is the first of 2025."""

import datetime

import pytest

from baolei.accounts.scope import Scope
from baolei.dashboard.services import facts, figures
from baolei.organisation.choices import CommitteePostKind, OrganisationKind, OrganisationStatus
from baolei.organisation.models import (
    CommitteePost,
    Grade,
    LifeKind,
    RectificationTask,
    WeakBranchDesignation,
)
from baolei.organisation.services import (
    committees,
    composition,
    coverage,
    grading,
    life,
    members,
    rectification,
)
from baolei.organisation.services import organisations as services
from baolei.regions.models import Level, Region
from baolei.registry import choices as registry_choices
from baolei.registry.models import Person
from tests.organisation import grading_factories as g
from tests.organisation.factories import (
    CommitteePostFactory,
    HostEntityFactory,
    HouseholdLinkFactory,
    PartyMemberFactory,
    PartyOrganisationFactory,
)
from tests.registry.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 5, 15)
COUNTY = "420222"
XINGGUO, FUCHI = "420222100", "420222101"
A1, A2, B1 = "420222100001", "420222100002", "420222101001"
FEMALE, MALE = registry_choices.Sex.FEMALE, registry_choices.Sex.MALE
COLLEGE = registry_choices.Education.COLLEGE


def person(birth: datetime.date, sex: str = MALE, region: str = A1) -> Person:
    return PersonFactory(birth_date=birth, sex=sex, region_code=region)


def post(region: str, kind: str, holder: Person, education: str = "", **kwargs):
    return CommitteePostFactory(
        region_code=region, kind=kind, person=holder, education=education, **kwargs
    )


@pytest.fixture
def world():
    """Worked by hand:

    entities      A1: e1 with its own branch, e2 nothing; A2: e3 an instructor only;
                  B1: e4 in a joint branch of B1, e5 nothing
    branches      one village branch per village (plus e1's and the joint branch, which
                  are not village branches but hold organisation life)
    life in Q1    only A1's village branch met (A2's met in April: the running quarter)
    grades 2024   A1 advanced, A2 lagging, B1 good
    weak          B1's branch since 2024, a task due 31 March 2025 (overdue) and one due
                  30 June 2025
    households    A1 two (one linked), A2 one (not linked), B1 two (both linked)
    committees    A1: a woman of 32 secretary-and-chair with college, a man of 35;
                  A2: a secretary of 50 with college, a chair turning 36 today, and a
                  young woman whose term ended; B1: one man of 34 secretary and chair
                  (two posts, counted once), a woman of 65 deputy chair
    """
    entities = {
        "e1": HostEntityFactory(region_code=A1),
        "e2": HostEntityFactory(region_code=A1),
        "e3": HostEntityFactory(region_code=A2, instructor="柯志强"),
        "e4": HostEntityFactory(region_code=B1),
        "e5": HostEntityFactory(region_code=B1),
    }
    hosted = PartyOrganisationFactory(region_code=A1, host_entity=entities["e1"])
    joint = PartyOrganisationFactory(region_code=B1, kind=OrganisationKind.JOINT_BRANCH)
    joint.covered_entities.set([entities["e4"]])
    branches = {code: PartyOrganisationFactory(region_code=code) for code in (A1, A2, B1)}

    g.meeting(branches[A1], datetime.date(2025, 2, 10))
    g.meeting(branches[A2], datetime.date(2025, 4, 10))

    made = g.checklist(2024)
    g.grade(branches[A1], made, 40, 20, 20)  # 100 % → advanced
    g.grade(branches[A2], made, 0, 0, 0)  # 0 % → lagging
    g.grade(branches[B1], made, 40, 15, 10)  # 80 % → good

    weak = g.designation(branches[B1], 2024, datetime.date(2024, 3, 1))
    g.task(weak, deadline=datetime.date(2025, 3, 31))
    g.task(weak, deadline=datetime.date(2025, 6, 30), description="Hold a branch assembly")

    a1 = [HouseholdFactory(village_id=A1) for _ in range(2)]
    HouseholdFactory(village_id=A2)
    b1 = [HouseholdFactory(village_id=B1) for _ in range(2)]
    member = PartyMemberFactory(branch=branches[A1])
    far_member = PartyMemberFactory(branch=branches[B1])
    HouseholdLinkFactory(member=member, household=a1[0])
    links = [HouseholdLinkFactory(member=far_member, household=h) for h in b1]

    kinds = CommitteePostKind
    chair_a1 = person(datetime.date(1992, 6, 1), FEMALE)
    post(A1, kinds.SECRETARY_AND_CHAIR, chair_a1, COLLEGE)
    post(A1, kinds.VILLAGE_COMMITTEE_MEMBER, person(datetime.date(1989, 5, 16)))
    post(A2, kinds.SECRETARY, person(datetime.date(1975, 3, 1), region=A2), COLLEGE)
    post(A2, kinds.CHAIR, person(datetime.date(1989, 5, 15), region=A2))
    post(
        A2,
        kinds.PARTY_COMMITTEE_MEMBER,
        person(datetime.date(1995, 1, 1), FEMALE, A2),
        COLLEGE,
        ended_on=datetime.date(2024, 12, 31),
    )
    head_b1 = person(datetime.date(1990, 5, 16), region=B1)
    post(B1, kinds.SECRETARY, head_b1)
    post(B1, kinds.CHAIR, head_b1)
    post(B1, kinds.DEPUTY_CHAIR, person(datetime.date(1960, 1, 1), FEMALE, B1))

    facts.rebuild(TODAY)
    return {
        "entities": entities,
        "hosted": hosted,
        "joint": joint,
        "branches": branches,
        "links": links,
        "chair_a1": chair_a1,
    }


def values(code: str, *keys: str, year: int = 2025) -> dict:
    return {v.indicator.key: v.value for v in figures.region_values(code, keys, year)}


def villages(code: str) -> int:
    return Region.objects.filter(level=Level.VILLAGE, code__startswith=code).count()


def test_coverage_is_the_ratio_of_the_entities_summed(world):
    keys = ("organisation_coverage", "work_coverage")
    assert values(A1, *keys) == {"organisation_coverage": 50.0, "work_coverage": 50.0}
    assert values(A2, *keys) == {"organisation_coverage": 0.0, "work_coverage": 100.0}
    assert values(XINGGUO, *keys) == pytest.approx(
        {"organisation_coverage": 100 / 3, "work_coverage": 200 / 3}
    )
    assert values(FUCHI, *keys) == {"organisation_coverage": 50.0, "work_coverage": 50.0}
    # Two of five entities, not the mean of the townships' 33.3 % and 50 %.
    assert values(COUNTY, *keys) == {"organisation_coverage": 40.0, "work_coverage": 60.0}


def test_grades_are_counted_for_the_year_they_were_given(world):
    keys = ("grade_advanced", "grade_good", "grade_lagging")
    assert values(COUNTY, *keys, year=2024) == {
        "grade_advanced": 1,
        "grade_good": 1,
        "grade_lagging": 1,
    }
    assert values(XINGGUO, *keys, year=2024) == {
        "grade_advanced": 1,
        "grade_good": 0,
        "grade_lagging": 1,
    }
    assert values(COUNTY, *keys, year=2025) == dict.fromkeys(keys, 0)


def test_weak_branches_overdue_tasks_and_life(world):
    keys = ("weak_branches", "rectification_overdue", "branches_without_life")
    assert values(B1, *keys) == {
        "weak_branches": 1,
        "rectification_overdue": 1,
        # The village branch and the joint branch held nothing in the first quarter.
        "branches_without_life": 2,
    }
    # A1: e1's own branch held nothing; A2: its April meeting is in the running quarter.
    assert values(XINGGUO, *keys) == {
        "weak_branches": 0,
        "rectification_overdue": 0,
        "branches_without_life": 2,
    }
    assert values(COUNTY, *keys) == {
        "weak_branches": 1,
        "rectification_overdue": 1,
        "branches_without_life": 4,
    }


def test_a_task_becomes_overdue_with_the_day_alone(world):
    facts.rebuild(datetime.date(2025, 7, 1))
    assert values(COUNTY, "rectification_overdue") == {"rectification_overdue": 2}
    assert facts.check(datetime.date(2025, 7, 1)) == []


def test_households_linked_with_a_member(world):
    assert values(A1, "linked_share") == {"linked_share": 50.0}
    assert values(A2, "linked_share") == {"linked_share": 0.0}
    assert values(XINGGUO, "linked_share") == pytest.approx({"linked_share": 100 / 3})
    assert values(COUNTY, "linked_share") == {"linked_share": 60.0}


def test_the_two_committees_composition(world):
    keys = (
        "committee_young_share",
        "committee_women_share",
        "committee_college_share",
        "one_shoulder_share",
    )
    assert values(A1, *keys) == {
        "committee_young_share": 100.0,  # 32, and 35 until tomorrow
        "committee_women_share": 50.0,
        "committee_college_share": 50.0,
        "one_shoulder_share": 100.0,
    }
    assert values(A2, *keys) == {
        "committee_young_share": 0.0,  # 50, and 36 today; the young woman's term ended
        "committee_women_share": 0.0,
        "committee_college_share": 50.0,
        "one_shoulder_share": 0.0,
    }
    # B1's head holds two posts and counts once: two holders, one young, one woman.
    assert values(B1, *keys) == {
        "committee_young_share": 50.0,
        "committee_women_share": 50.0,
        "committee_college_share": 0.0,
        "one_shoulder_share": 100.0,
    }
    county = values(COUNTY, *keys)
    assert county["committee_young_share"] == pytest.approx(300 / 6)
    assert county["committee_women_share"] == pytest.approx(200 / 6)
    assert county["committee_college_share"] == pytest.approx(200 / 6)
    assert county["one_shoulder_share"] == pytest.approx(200 / villages(COUNTY))
    assert values(XINGGUO, "one_shoulder_share")["one_shoulder_share"] == pytest.approx(
        100 / villages(XINGGUO)
    )


def test_the_stored_figures_equal_a_recount(world):
    assert facts.check(TODAY) == []


def test_edits_through_the_services_move_the_figures(world):
    branches = world["branches"]
    criterion = g.criterion(2025)
    rectification.do_designate(
        None, branches[A2], 2025, [criterion], "findings", datetime.date(2025, 4, 1)
    )
    life.do_record_life(
        None,
        branches[A2],
        LifeKind.PARTY_LECTURE,
        datetime.date(2025, 3, 20),
        "党课",
        9,
        10,
        today=TODAY,
    )
    members.do_end_link(None, world["links"][0], datetime.date(2025, 5, 1))
    services.do_change_status(
        None,
        world["hosted"],
        to_status=OrganisationStatus.DISSOLVED,
        changed_on=datetime.date(2025, 5, 1),
        reason="合作社停业",
    )
    # A correction of the register: the person's sex moves the committee they sit on.
    Person.objects.filter(pk=world["chair_a1"].pk).update(sex=MALE)

    facts.refresh(TODAY)

    assert values(A2, "weak_branches", "branches_without_life") == {
        "weak_branches": 1,
        "branches_without_life": 0,
    }
    assert values(COUNTY, "weak_branches", "branches_without_life") == {
        "weak_branches": 2,
        # A1's dissolved hosted branch no longer holds life either.
        "branches_without_life": 2,
    }
    assert values(B1, "linked_share") == {"linked_share": 50.0}
    assert values(COUNTY, "linked_share") == {"linked_share": 40.0}
    assert values(A1, "organisation_coverage", "committee_women_share") == {
        "organisation_coverage": 0.0,
        "committee_women_share": 0.0,
    }
    assert values(COUNTY, "organisation_coverage") == {"organisation_coverage": 20.0}
    assert facts.check(TODAY) == []


def test_closing_the_last_task_takes_the_branch_off_the_weak_list(world):
    designation = WeakBranchDesignation.objects.get(organisation=world["branches"][B1])
    for task in designation.tasks.all():
        rectification.do_add_note(None, task, datetime.date(2025, 4, 1), "done")
        rectification.do_request_verification(None, task)
        rectification.do_verify(None, task, True, datetime.date(2025, 4, 2))
        rectification.do_close_task(None, task, datetime.date(2025, 4, 3))
    facts.refresh(TODAY)
    assert values(COUNTY, "weak_branches", "rectification_overdue") == {
        "weak_branches": 0,
        "rectification_overdue": 0,
    }
    assert facts.check(TODAY) == []


def test_a_committee_term_ending_moves_the_composition(world):
    chair = CommitteePost.objects.get(region_code=B1, kind=CommitteePostKind.CHAIR)
    committees.do_end_committee_post(None, chair, datetime.date(2025, 5, 1))
    facts.refresh(TODAY)
    assert values(B1, "one_shoulder_share") == {"one_shoulder_share": 0.0}
    assert facts.check(TODAY) == []


def test_every_figure_links_to_its_list(world, client_county_admin):
    urls = {v.indicator.key: v.url for v in figures.region_values(XINGGUO, None, 2024)}
    assert urls["weak_branches"] == f"/organisation/weak/?region={XINGGUO}&status=rectifying"
    assert urls["grade_lagging"] == (
        f"/organisation/grading/?region={XINGGUO}&year=2024&grade=lagging"
    )
    assert urls["branches_without_life"] == f"/organisation/life/?region={XINGGUO}&flagged=1"
    assert urls["committee_women_share"] == f"/organisation/committees/?region={XINGGUO}"
    village = {v.indicator.key: v.url for v in figures.region_values(A1, None, 2024)}
    assert village["one_shoulder_share"] == f"/organisation/committees/{A1}/"
    organisation_urls = [
        url
        for key, url in urls.items()
        if figures.registered().indicators[key].capability == "organisation"
    ]
    for url in organisation_urls:
        assert client_county_admin.get(url).status_code == 200, url


def test_dissolving_a_township_joint_branch_uncovers_its_villages_entities(world):
    covered = HostEntityFactory(region_code=A2)
    joint = PartyOrganisationFactory(region_code=XINGGUO, kind=OrganisationKind.JOINT_BRANCH)
    joint.covered_entities.set([covered])
    facts.refresh(TODAY)
    assert values(A2, "organisation_coverage") == {"organisation_coverage": 50.0}
    services.do_change_status(
        None,
        joint,
        to_status=OrganisationStatus.DISSOLVED,
        changed_on=datetime.date(2025, 5, 1),
        reason="撤销",
    )
    facts.refresh(TODAY)
    assert facts.check(TODAY) == []


def test_the_dashboard_agrees_with_the_organisation_pages(world):
    """The coverage, composition, grading, life and overdue pages' own services give the
    same figures for the township as the command centre."""
    scope = Scope(role="organisation_department", region_code=COUNTY)
    shown = values(
        XINGGUO,
        "organisation_coverage",
        "work_coverage",
        "committee_young_share",
        "committee_women_share",
        "committee_college_share",
        "one_shoulder_share",
        "branches_without_life",
        "rectification_overdue",
    )
    table = coverage.entity_coverage(scope, XINGGUO, TODAY)
    assert shown["organisation_coverage"] == pytest.approx(
        100 * table.total.organisation / table.total.entities
    )
    assert shown["work_coverage"] == pytest.approx(100 * table.total.work / table.total.entities)
    made = composition.composition(scope, XINGGUO, TODAY).total
    assert shown["committee_young_share"] == pytest.approx(100 * made.ages[0] / made.holders)
    assert shown["committee_women_share"] == pytest.approx(100 * made.women / made.holders)
    assert shown["committee_college_share"] == pytest.approx(100 * made.college / made.holders)
    assert shown["one_shoulder_share"] == pytest.approx(100 * made.one_shoulder / made.villages)
    quarter = life.previous_quarter(TODAY)
    rows = life.quarter_overview(scope, *quarter, XINGGUO, today=TODAY)
    assert shown["branches_without_life"] == life.flag_counts(rows)["none"]
    tasks = RectificationTask.objects.filter(region_code__startswith=XINGGUO)
    assert shown["rectification_overdue"] == rectification.overdue(tasks, TODAY).count()
    counts = grading.grade_counts(scope, 2024, COUNTY)
    graded = values(COUNTY, *(f"grade_{grade}" for grade in Grade.values), year=2024)
    assert {k.removeprefix("grade_"): v for k, v in graded.items() if v} == {
        grade: n for grade, n in counts.items() if grade != "ungraded" and n
    }
