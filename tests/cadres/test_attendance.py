"""Attendance against the rule (month and year, prorated, approved leave taken off the
requirement), entry by the month, and leave approval by the right role only."""

import datetime

import pytest
from django.utils import timezone

from baolei.cadres.models import AttendanceMonth, AttendanceRule, LeaveStatus, TeamMember
from baolei.cadres.services import teams as services
from tests.cadres.factories_teams import (
    AttendanceMonthFactory,
    LeaveRequestFactory,
    TeamMemberFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _month(member, year=2024, month=3):
    [line] = services.month_attendance(TeamMember.objects.filter(pk=member.pk), year, month)
    return line


def test_a_month_below_twenty_days_is_below_the_rule_unless_leave_was_approved():
    member = TeamMemberFactory()
    AttendanceMonthFactory(member=member, year=2024, month=3, days=18)
    leave = LeaveRequestFactory(
        member=member, starts_on=datetime.date(2024, 3, 4), ends_on=datetime.date(2024, 3, 5)
    )
    line = _month(member)
    assert (line.days, line.required, line.below) == (18, 20, True)  # leave still pending
    leave.status = LeaveStatus.APPROVED
    leave.save()
    line = _month(member)
    assert (line.days, line.required, line.leave_days, line.below) == (18, 18, 2, False)


def test_a_month_without_entry_counts_as_zero_days():
    member = TeamMemberFactory()
    assert (_month(member).days, _month(member).below) == (0, True)


def test_joining_mid_month_prorates_the_requirement():
    # in post from 17 March: 15 of 31 days, 20 × 15 / 31 = 9.68, rounded up to 10
    member = TeamMemberFactory(starts_on=datetime.date(2024, 3, 17))
    assert _month(member).required == 10


def test_the_region_rule_replaces_the_defaults():
    AttendanceRule.objects.create(region_code="420222", year=2024, min_days_month=15)
    member = TeamMemberFactory()
    AttendanceMonthFactory(member=member, days=16)
    assert (_month(member).required, _month(member).below) == (15, False)


def test_the_year_so_far_is_prorated_and_leave_is_taken_off():
    member = TeamMemberFactory()
    for month in range(1, 7):
        AttendanceMonthFactory(member=member, year=2024, month=month, days=18)
    members = TeamMember.objects.filter(pk=member.pk)
    # 1 January to 30 June 2024 is 182 of 366 days: 220 × 182 / 366 = 109.4 → 110
    [line] = services.year_attendance(members, 2024, as_of=datetime.date(2024, 6, 30))
    assert (line.days, line.required, line.below) == (108, 110, True)
    LeaveRequestFactory(
        member=member,
        starts_on=datetime.date(2024, 5, 6),
        ends_on=datetime.date(2024, 5, 7),
        status=LeaveStatus.APPROVED,
    )
    [line] = services.year_attendance(members, 2024, as_of=datetime.date(2024, 6, 30))
    assert (line.required, line.leave_days, line.below) == (108, 2, False)


def test_more_days_than_in_post_are_refused(insider):
    member = TeamMemberFactory(starts_on=datetime.date(2024, 3, 17))
    with pytest.raises(services.TeamsError) as error:
        services.do_save_attendance(insider, member, 2024, 3, 16, "")
    assert error.value.field == "days" and "between 0 and 15" in str(error.value)
    services.do_save_attendance(insider, member, 2024, 3, 15, "")
    services.do_save_attendance(insider, member, 2024, 3, 12, "")  # corrected, not doubled
    assert AttendanceMonth.objects.get(member=member).days == 12


def test_the_first_secretary_enters_the_month_on_the_phone_page(client_insider):
    member = TeamMemberFactory()
    page = f"/cadres/teams/members/{member.pk}/attendance/"
    response = client_insider.post(page, {"year": 2024, "month": 3, "days": 21, "note": ""})
    assert response.status_code == 302
    assert AttendanceMonth.objects.get(member=member, year=2024, month=3).days == 21


def test_the_below_the_rule_list_and_its_export(client_county_admin):
    low = TeamMemberFactory(cadre__person__name="少天数")
    AttendanceMonthFactory(member=low, days=12)
    ok = TeamMemberFactory(
        cadre__person__name="够天数", team__village_id="420222100002", team__dispatching_unit="x"
    )
    AttendanceMonthFactory(member=ok, days=25)
    page = client_county_admin.get("/cadres/teams/attendance/below/?year=2024&month=3")
    assert "少天数" in page.content.decode() and "够天数" not in page.content.decode()
    export = client_county_admin.get(
        "/cadres/teams/attendance/below/export/?year=2024&month=3&format=csv"
    )
    body = (
        b"".join(export.streaming_content).decode("utf-8-sig")
        if export.streaming
        else export.content.decode("utf-8-sig")
    )
    assert "少天数" in body and "够天数" not in body


# --- leave approval ----------------------------------------------------------------------


def test_short_leave_is_the_townships_to_approve(insider, county_admin, client_insider):
    leave = LeaveRequestFactory()  # 2 days, within the default 3
    assert services.approval_queue(leave.__class__.objects.all(), _scope(insider)) == [leave]
    assert services.approval_queue(leave.__class__.objects.all(), _scope(county_admin)) == []
    with pytest.raises(services.TeamsError, match="approved by the township"):
        services.do_decide_leave(county_admin, leave, True)
    response = client_insider.post(f"/cadres/teams/leave/{leave.pk}/decide/", {"approve": "on"})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED and leave.decided_by == insider


def test_longer_leave_is_the_county_organisation_departments(
    insider, client_insider, client_county_admin
):
    leave = LeaveRequestFactory(ends_on=datetime.date(2024, 3, 13))  # 10 days
    assert client_insider.post(f"/cadres/teams/leave/{leave.pk}/decide/").status_code == 403
    queue = client_county_admin.get("/cadres/teams/leave/").content.decode()
    assert f"/cadres/teams/leave/{leave.pk}/decide/" in queue
    client_county_admin.post(f"/cadres/teams/leave/{leave.pk}/decide/", {"reject": "on"})
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.REJECTED


def test_the_neighbour_township_cannot_reach_the_leave(client_neighbour):
    leave = LeaveRequestFactory()
    assert client_neighbour.post(f"/cadres/teams/leave/{leave.pk}/decide/").status_code == 404
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.PENDING


def test_overlapping_leave_is_refused(insider):
    leave = LeaveRequestFactory()
    with pytest.raises(services.TeamsError) as error:
        services.do_request_leave(
            insider, leave.member, datetime.date(2024, 3, 5), datetime.date(2024, 3, 6), "又有事"
        )
    assert error.value.code == "overlap"


def test_leave_through_the_api(client, insider, county_admin):
    from tests.factories import ApiTokenFactory
    from tests.helpers import bearer

    member = TeamMemberFactory()
    key = ApiTokenFactory(user=insider).key
    created = client.post(
        f"/api/cadres/members/{member.pk}/leave",
        data={"starts_on": "2024-05-01", "ends_on": "2024-05-10", "reason": "培训"},
        content_type="application/json",
        headers=bearer(key),
    )
    assert created.status_code == 201 and created.json()["days"] == 10
    pk = created.json()["id"]
    refused = client.post(
        f"/api/cadres/leave/{pk}/decision",
        data={"approve": True},
        content_type="application/json",
        headers=bearer(key),
    )
    assert refused.status_code == 403
    county_key = ApiTokenFactory(user=county_admin).key
    decided = client.post(
        f"/api/cadres/leave/{pk}/decision",
        data={"approve": True},
        content_type="application/json",
        headers=bearer(county_key),
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    month = client.put(
        f"/api/cadres/members/{member.pk}/attendance/2024/5",
        data={"days": 15},
        content_type="application/json",
        headers=bearer(key),
    ).json()
    # May: 20 required, less 10 approved days of leave = 10; 15 entered
    assert (month["days"], month["required"], month["below"]) == (15, 10, False)


def _scope(user):
    from baolei.accounts.scope import Scope

    return Scope.for_user(user)


# --- a period that is not over --------------------------------------------------------------


@pytest.fixture
def today(monkeypatch):
    """Set the day the pages and services take for today."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args: day)

    return set_today


def _below(client, query: str = "") -> str:
    response = client.get(f"/cadres/teams/attendance/below/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_below_list_opens_on_the_last_complete_month(client_county_admin, today):
    today(datetime.date(2024, 4, 10))
    low = TeamMemberFactory(cadre__person__name="三月少")
    AttendanceMonthFactory(member=low, year=2024, month=3, days=12)
    page = _below(client_county_admin)
    assert "三月少" in page and '<option value="3" selected>' in page
    assert 'data-testid="running"' not in page
    # January opens on the December before
    today(datetime.date(2025, 1, 5))
    assert '<option value="12" selected>' in _below(client_county_admin)


def test_the_current_month_is_counted_up_to_today(client_county_admin, today):
    today(datetime.date(2024, 3, 16))
    member = TeamMemberFactory(cadre__person__name="本月人")
    members = TeamMember.objects.filter(pk=member.pk)
    # 16 of March's 31 days: 20 × 16 / 31 = 10.3 → 11 days so far, not 20
    AttendanceMonthFactory(member=member, year=2024, month=3, days=11)
    [line] = services.month_attendance(members, 2024, 3)
    assert (line.days, line.required, line.below) == (11, 11, False)
    page = _below(client_county_admin, "?year=2024&month=3")
    assert "本月人" not in page and 'data-testid="running"' in page and "2024-03-16" in page
    AttendanceMonth.objects.filter(member=member).update(days=10)
    assert "本月人" in _below(client_county_admin, "?year=2024&month=3")
    assert services.month_attendance(members, 2024, 4) == []  # not begun


def test_the_current_year_is_counted_up_to_today(client_county_admin, today):
    today(datetime.date(2024, 6, 30))
    member = TeamMemberFactory(cadre__person__name="今年人")
    for month in range(1, 7):
        AttendanceMonthFactory(member=member, year=2024, month=month, days=19)
    # 182 of 366 days: 220 × 182 / 366 = 109.4 → 110 so far, not 220; 114 entered
    [line] = services.year_attendance(TeamMember.objects.filter(pk=member.pk), 2024)
    assert (line.days, line.required, line.below) == (114, 110, False)
    page = _below(client_county_admin, "?year=2024")
    assert "今年人" not in page and 'data-testid="running"' in page
