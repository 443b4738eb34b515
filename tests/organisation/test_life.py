"""Organisation life (三会一课): recording meetings, and the quarters branches missed."""

import datetime

import pytest

from baolei.organisation import life
from baolei.organisation.models_grading import LifeKind, LifeRecord
from tests.organisation import grading_factories as make

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
