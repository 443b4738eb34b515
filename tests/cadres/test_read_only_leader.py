"""A read-only leader reads the leave requests and the rules: nothing on those pages asks
them to approve or looks editable. Pending leave whose period is over says so, and the
list runs newest first."""

import datetime

import pytest
from django.test import Client

from baolei.accounts.permissions import Role
from tests.cadres.factories_teams import LeaveRequestFactory, TeamMemberFactory
from tests.conftest import COUNTY
from tests.factories import UserFactory
from tests.registry.factories import VILLAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


def _client(role, scope=COUNTY) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role, scope=scope))
    return client


def _rows(page: str, testid: str) -> list[str]:
    table = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return table.split("<tr>")[2:]


def test_the_leader_reads_leave_requests_without_being_asked_to_decide():
    member = TeamMemberFactory(cadre__person__name="周书记")
    LeaveRequestFactory(member=member, starts_on=D(2023, 5, 8), ends_on=D(2023, 5, 9))
    LeaveRequestFactory(member=member, starts_on=D(2024, 3, 4), ends_on=D(2024, 3, 5))
    page = _client(Role.LEADER).get("/cadres/teams/leave/").content.decode()
    assert "waiting for you" not in page and "Approve" not in page
    assert "<h1" in page and ">Leave requests</h1>" in page
    rows = _rows(page, "leave-table")
    assert "2024-03-04" in rows[0] and "2023-05-08" in rows[1]  # newest first
    assert all("Expired, not decided" in row and "Pending" not in row for row in rows)


def test_the_approver_still_decides_and_sees_what_is_still_pending():
    today = datetime.date.today()
    member = TeamMemberFactory()
    LeaveRequestFactory(member=member, starts_on=today, ends_on=today + datetime.timedelta(days=1))
    page = _client(Role.TOWNSHIP_OFFICER, "420222100").get("/cadres/teams/leave/").content.decode()
    assert "Leave requests waiting for you" in page and "Approve" in page
    assert "Pending" in _rows(page, "leave-table")[0]


@pytest.mark.parametrize("role", [Role.LEADER, Role.FIRST_SECRETARY])
def test_the_rules_are_shown_as_text_to_who_cannot_change_them(role):
    response = _client(role, VILLAGE).get("/cadres/teams/rules/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="min_days_month"' not in page and "<textarea" not in page
    assert "Save" not in page
    assert 'data-testid="rules-attendance"' in page


def test_the_county_edits_the_rules():
    page = _client(Role.ORGANISATION_DEPARTMENT).get("/cadres/teams/rules/").content.decode()
    assert 'name="min_days_month"' in page and "Save" in page


def test_the_cadres_overview_does_not_tell_the_leader_leave_waits_for_them():
    today = datetime.date.today()
    member = TeamMemberFactory()
    LeaveRequestFactory(member=member, starts_on=today, ends_on=today + datetime.timedelta(days=1))
    LeaveRequestFactory(member=member, starts_on=D(2023, 5, 8), ends_on=D(2023, 5, 9))
    page = _client(Role.LEADER).get("/cadres/").content.decode()
    summary = page.split('data-testid="teams-summary"', 1)[1]
    assert "Leave waiting for you" not in summary
    assert "Leave requests pending" in summary
    pending = summary.split("Leave requests pending", 1)[1]
    assert ">1</a>" in pending.split("</div>", 2)[0] + pending.split("</div>", 2)[1]
