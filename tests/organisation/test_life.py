"""Organisation life (三会一课): recording meetings, and the quarters branches missed."""

import datetime

import pytest
from django.utils import timezone

from baolei.organisation.choices import OrganisationKind, OrganisationStatus
from baolei.organisation.models import LifeKind, LifeRecord
from baolei.organisation.services import grading, life
from tests.organisation import grading_factories as make
from tests.organisation.factories import HostEntityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


def test_quarter_bounds():
    assert life.quarter_bounds(2024, 1) == (D(2024, 1, 1), D(2024, 3, 31))
    assert life.quarter_bounds(2024, 4) == (D(2024, 10, 1), D(2024, 12, 31))
    assert life.previous_quarter(D(2025, 2, 10)) == (2024, 4)


def test_branches_without_life_are_flagged_overall_and_per_kind(insider):
    active = make.branch()
    lectures_only = make.branch()
    quiet = make.branch()
    make.meeting(active, D(2024, 4, 10), LifeKind.BRANCH_ASSEMBLY)
    make.meeting(active, D(2024, 5, 10), LifeKind.COMMITTEE_MEETING)
    make.meeting(active, D(2024, 6, 10), LifeKind.GROUP_MEETING)
    make.meeting(active, D(2024, 6, 30), LifeKind.PARTY_LECTURE)
    make.meeting(lectures_only, D(2024, 5, 20), LifeKind.PARTY_LECTURE)
    make.meeting(quiet, D(2024, 3, 31), LifeKind.BRANCH_ASSEMBLY)  # the quarter before
    make.meeting(quiet, D(2024, 7, 1), LifeKind.BRANCH_ASSEMBLY)  # the quarter after

    rows = {row.branch: row for row in life.quarter_overview(insider, 2024, 2)}
    assert [rows[b].flagged for b in (active, lectures_only, quiet)] == [False, False, True]
    assert rows[active].missing_kinds == []
    assert rows[lectures_only].missing_kinds == [
        LifeKind.BRANCH_ASSEMBLY,
        LifeKind.COMMITTEE_MEETING,
        LifeKind.GROUP_MEETING,
    ]
    assert rows[active].attendance_percent == 90  # 4 × 18 of 4 × 20
    assert life.flag_counts(list(rows.values())) == {
        "none": 1,
        LifeKind.BRANCH_ASSEMBLY: 2,
        LifeKind.COMMITTEE_MEETING: 2,
        LifeKind.GROUP_MEETING: 2,
        LifeKind.PARTY_LECTURE: 1,
    }


def test_record_checks_attendance_and_date():
    branch = make.branch()
    with pytest.raises(life.LifeError) as refused:
        life.do_record_life(None, branch, LifeKind.PARTY_LECTURE, D(2024, 5, 1), "党课", 21, 20)
    assert refused.value.field == "attended"
    with pytest.raises(life.LifeError) as refused:
        life.do_record_life(
            None, branch, LifeKind.PARTY_LECTURE, D(2024, 5, 2), "党课", 1, 2, today=D(2024, 5, 1)
        )
    assert refused.value.field == "held_on"
    record = life.do_record_life(
        None, branch, LifeKind.PARTY_LECTURE, D(2024, 5, 1), "党课", 18, 20
    )
    assert record.region_code == branch.region_code


def test_the_overview_page_shows_flagged_branches_of_the_scope(client_insider):
    quiet = make.branch(name="安静村党支部")
    make.branch(name="富池某村党支部", region_code="420222101001")
    page = client_insider.get("/organisation/life/?year=2024&quarter=2&flagged=1").content
    page = page.decode()
    assert quiet.name in page
    assert "富池某村党支部" not in page


def test_the_life_form_records_a_meeting(client_insider):
    branch = make.branch()
    response = client_insider.post(
        "/organisation/life/new/",
        {
            "organisation": branch.pk,
            "kind": LifeKind.COMMITTEE_MEETING,
            "held_on": "2024-05-06",
            "topic": "研究发展党员",
            "attended": 5,
            "expected": 5,
        },
    )
    assert response.status_code == 302
    assert LifeRecord.objects.get().topic == "研究发展党员"


def test_a_neighbour_cannot_record_for_another_township(client_neighbour):
    branch = make.branch()
    response = client_neighbour.post(
        "/organisation/life/new/",
        {
            "organisation": branch.pk,
            "kind": "party_lecture",
            "held_on": "2024-05-06",
            "topic": "x",
            "attended": 1,
            "expected": 1,
        },
    )
    assert response.status_code == 200  # the form refuses the branch: not a choice
    assert not LifeRecord.objects.exists()


def test_a_quarter_not_over_is_running_and_flags_nobody(insider):
    quiet = make.branch()
    running = life.quarter_overview(insider, 2024, 3, today=D(2024, 9, 30))
    assert [(row.branch, row.running, row.flagged, row.missing_kinds) for row in running] == [
        (quiet, True, False, [])
    ]
    assert set(life.flag_counts(running).values()) == {0}
    over = life.quarter_overview(insider, 2024, 3, today=D(2024, 10, 1))
    assert [(row.running, row.flagged) for row in over] == [(False, True)]


def test_the_overview_opens_on_the_last_finished_quarter(client_insider):
    quiet = make.branch(name="安静村党支部")
    today = timezone.localdate()
    response = client_insider.get("/organisation/life/")
    assert (response.context["year"], response.context["quarter"]) == life.previous_quarter(today)
    assert response.context["running"] is False
    assert response.context["flags"]["none"] == 1
    page = response.content.decode()
    assert quiet.name in page and "none this quarter" in page
    assert 'data-testid="quarter-running"' not in page


def test_the_running_quarter_asked_for_is_shown_in_progress(client_insider):
    quiet = make.branch(name="安静村党支部")
    year, quarter = life.quarter_of(timezone.localdate())
    response = client_insider.get(f"/organisation/life/?year={year}&quarter={quarter}")
    assert response.context["running"] is True
    assert response.context["flags"]["none"] == 0
    page = response.content.decode()
    assert 'data-testid="quarter-running">in progress<' in page
    assert quiet.name in page and "none this quarter" not in page
    flagged = client_insider.get(f"/organisation/life/?year={year}&quarter={quarter}&flagged=1")
    assert quiet.name not in flagged.content.decode()


@pytest.fixture
def branches_everywhere():
    """In 兴国镇: a village branch, a branch in a cooperative, a joint branch of the
    township, a village general branch; a party committee and a dissolved branch."""
    return {
        "village": make.branch(name="山川台党支部"),
        "cooperative": make.branch(name="合作社党支部", host_entity=HostEntityFactory()),
        "joint": make.branch(
            name="兴国镇非公企业联合党支部",
            kind=OrganisationKind.JOINT_BRANCH,
            region_code="420222100",
        ),
        "general": make.branch(name="山川台党总支", kind=OrganisationKind.GENERAL_BRANCH),
        "committee": make.branch(
            name="兴国镇党委", kind=OrganisationKind.COMMITTEE, region_code="420222100"
        ),
        "dissolved": make.branch(name="已撤销党支部", status=OrganisationStatus.DISSOLVED),
    }


def test_every_active_branch_records_life_and_is_flagged(insider, branches_everywhere):
    b = branches_everywhere
    for key in ("cooperative", "joint"):
        life.do_record_life(None, b[key], LifeKind.PARTY_LECTURE, D(2024, 5, 1), "党课", 8, 9)
    for key, code in (("committee", "not_branch"), ("dissolved", "inactive")):
        with pytest.raises(life.LifeError) as refused:
            life.do_record_life(None, b[key], LifeKind.PARTY_LECTURE, D(2024, 5, 1), "党课", 1, 1)
        assert refused.value.code == code

    rows = life.quarter_overview(insider, 2024, 2, today=D(2024, 7, 15))
    flagged = {row.branch.name: row.flagged for row in rows}
    assert flagged == {
        "山川台党支部": True,
        "合作社党支部": False,
        "兴国镇非公企业联合党支部": False,
        "山川台党总支": True,
    }
    assert life.flag_counts(rows)["none"] == 2
    # Grading stays with the village's own branches.
    assert set(grading.village_branches(insider)) == {b["village"], b["general"]}


def test_the_pages_record_life_of_a_cooperative_branch(client_insider, branches_everywhere):
    branch = branches_everywhere["cooperative"]
    form = client_insider.get("/organisation/life/new/").content.decode()
    assert branch.name in form and "兴国镇党委" not in form
    response = client_insider.post(
        "/organisation/life/new/",
        {
            "organisation": branch.pk,
            "kind": "branch_assembly",
            "held_on": "2024-05-06",
            "topic": "合作社党员大会",
            "attended": 9,
            "expected": 9,
        },
    )
    assert response.status_code == 302
    record = client_insider.get(response["Location"])
    assert record.status_code == 200
    assert "合作社党员大会" in record.content.decode()
    assert 'data-testid="grading-history"' not in record.content.decode()
    assert (
        client_insider.get(f"/organisation/grading/branches/{branch.pk}/2024/").status_code == 404
    )
