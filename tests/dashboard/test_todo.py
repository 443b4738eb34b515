"""The home page's to-do (待办): what needs action in the user's scope today, each with its
count and a link to the list of those records; items the role may not act on are absent,
an item with nothing to do says 0, and the neighbour township's work is never counted
(issue 14, item 4)."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from baolei.accounts.permissions import Role
from baolei.cadres.models import LeaveStatus, MemberRole
from baolei.imports.models import ImportJob
from baolei.organisation.models import RectificationTask, TaskStatus
from baolei.regions.models import Region
from baolei.registry.models import Household, Procedure, ProcedureStep, Visit
from baolei.registry.services.procedures import MONITORING_STEPS, RISK_ELIMINATION_STEPS
from tests.cadres.factories_teams import (
    AttendanceMonthFactory,
    LeaveRequestFactory,
    TeamMemberFactory,
    WorkTeamFactory,
)
from tests.conftest import NEIGHBOUR_TOWNSHIP, TOWNSHIP
from tests.factories import UserFactory
from tests.organisation import grading_factories as make
from tests.registry.factories import HouseholdFactory, VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VILLAGE = "420222100001"  # 兴国镇
TODAY = timezone.localdate()


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _far_village() -> str:
    return (
        Region.objects.filter(code__startswith=NEIGHBOUR_TOWNSHIP, level=5)
        .order_by("code")
        .first()
        .code
    )


def _household(code: str, n: int) -> Household:
    return HouseholdFactory(number=f"{code}{n:06d}", village=Region.objects.get(code=code))


def _procedure(household, kind, started_on, steps=()):
    procedure = Procedure.objects.create(household=household, kind=kind, started_on=started_on)
    for step, _label in steps:
        ProcedureStep.objects.create(
            procedure=procedure, step=step, done_on=started_on, actor_name="村委会"
        )
    return procedure


def _work(code: str, uploader) -> dict:
    """A township's work waiting: procedures, visits, tasks, attendance, leave, imports."""
    n = iter(range(1, 100))
    made: dict = {}
    # Identifications for monitoring: one open 20 days (overdue), one 5 days (not yet).
    made["late"] = _procedure(_household(code, next(n)), Procedure.Kind.MONITORING, _days(-20))
    _procedure(_household(code, next(n)), Procedure.Kind.MONITORING, _days(-5))
    # Waiting for the township's review (a monitoring and a risk elimination), and one
    # past it, waiting for the county.
    _procedure(
        _household(code, next(n)), Procedure.Kind.MONITORING, _days(-3), MONITORING_STEPS[:6]
    )
    _procedure(
        _household(code, next(n)),
        Procedure.Kind.RISK_ELIMINATION,
        _days(-3),
        RISK_ELIMINATION_STEPS[:3],
    )
    _procedure(
        _household(code, next(n)), Procedure.Kind.MONITORING, _days(-3), MONITORING_STEPS[:7]
    )
    # Visits: two households visited lately, the rest not for 90 days.
    for days in (10, 89):
        VisitFactory(household=_household(code, next(n)), visited_on=_days(-days))
    VisitFactory(household=_household(code, next(n)), visited_on=_days(-91))
    # Rectification: overdue, due in 5 and in 7 days (to do), in 8 days (not yet), closed.
    designation = make.designation(make.branch(region_code=code, name=f"{code}党支部"))
    for offset in (-3, 5, 7, 8, -10):
        make.task(designation, deadline=_days(offset), description=f"整改 {offset}")
    RectificationTask.objects.filter(designation=designation, description="整改 -10").update(
        status=TaskStatus.CLOSED
    )
    # Attendance of the last complete month: one below the rule, one above it.
    team = WorkTeamFactory(
        village=Region.objects.get(code=code),
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2030, 1, 1),
    )
    below = TeamMemberFactory(team=team)
    fine = TeamMemberFactory(team=team, role=MemberRole.MEMBER)
    previous = TODAY.replace(day=1) - datetime.timedelta(days=1)
    AttendanceMonthFactory(member=below, year=previous.year, month=previous.month, days=1)
    AttendanceMonthFactory(member=fine, year=previous.year, month=previous.month, days=28)
    made["below"] = below
    # Leave: short (the township's), long (the county's), and one already decided.
    LeaveRequestFactory(member=fine, starts_on=_days(1), ends_on=_days(2))
    LeaveRequestFactory(member=below, starts_on=_days(10), ends_on=_days(60))
    LeaveRequestFactory(
        member=fine, starts_on=_days(70), ends_on=_days(71), status=LeaveStatus.APPROVED
    )
    # Imports: rejected lately (mine), rejected long ago, done, and someone else's.
    for status, age, who in (
        (ImportJob.Status.REJECTED, 2, uploader),
        (ImportJob.Status.REJECTED, 40, uploader),
        (ImportJob.Status.DONE, 2, uploader),
        (ImportJob.Status.REJECTED, 2, None),
    ):
        ImportJob.objects.create(
            kind="households",
            filename="户.xlsx",
            sha256="0" * 64,
            uploaded_by=who,
            region_code=code[:9],
            status=status,
            created_at=timezone.now() - datetime.timedelta(days=age),
        )
    return made


def _todo(client: Client) -> dict[str, tuple[int, str]]:
    page = client.get("/dashboard/todo/", headers={"HX-Request": "true"})
    assert page.status_code == 200
    found = re.findall(
        r'<a href="([^"]*)" data-testid="todo-count-([a-z]+)"[^>]*>(\d+)</a>',
        page.content.decode(),
    )
    return {key: (int(count), url.replace("&amp;", "&")) for url, key, count in found}


def _client(role: str, scope: str) -> tuple[Client, object]:
    user = UserFactory(role=role, scope=scope)
    client = Client()
    client.force_login(user)
    return client, user


def test_the_township_officer_counts_what_waits_in_the_township_only():
    client, officer = _client(Role.TOWNSHIP_OFFICER, TOWNSHIP)
    mine = _work(VILLAGE, officer)
    _work(_far_village(), UserFactory(role=Role.TOWNSHIP_OFFICER, scope=NEIGHBOUR_TOWNSHIP))

    todo = _todo(client)

    in_township = Household.objects.filter(village__code__startswith=TOWNSHIP)
    visited = Visit.objects.filter(visited_on__gte=_days(-90)).values("household")
    assert todo["identifications"][0] == 1  # the one open 20 days
    assert todo["visits"][0] == in_township.exclude(pk__in=visited).count()
    assert todo["tasks"][0] == (
        RectificationTask.objects.filter(region_code__startswith=TOWNSHIP, deadline__lte=_days(7))
        .exclude(status=TaskStatus.CLOSED)
        .count()
    )
    assert todo["tasks"][0] == 3
    assert todo["attendance"][0] == 1
    assert todo["leave"][0] == 1  # the short one; the long one is the county's
    assert todo["steps"][0] == 2  # the monitoring and the risk elimination at the township
    assert todo["imports"][0] == 1  # mine, rejected, lately
    assert mine["late"].household.number.startswith(VILLAGE)


def test_each_count_links_to_the_list_of_its_records():
    client, officer = _client(Role.TOWNSHIP_OFFICER, TOWNSHIP)
    mine = _work(VILLAGE, officer)
    todo = _todo(client)
    previous = TODAY.replace(day=1) - datetime.timedelta(days=1)

    assert todo["identifications"][1] == "/registry/monitoring/overdue/"
    assert todo["visits"][1] == "/registry/visits/overdue/?days=90"
    assert todo["tasks"][1] == "/organisation/tasks/overdue/"
    assert todo["attendance"][1] == (
        f"/cadres/teams/attendance/below/?year={previous.year}&month={previous.month}"
    )
    assert todo["leave"][1] == "/cadres/teams/leave/"
    assert todo["imports"][1] == "/imports/"
    # The lists show the records counted.
    overdue = client.get(todo["identifications"][1]).content.decode()
    assert mine["late"].household.number in overdue
    below = client.get(todo["attendance"][1]).content.decode()
    assert mine["below"].cadre.person.name in below


def test_the_county_sees_its_approvals_and_long_leave():
    _work(VILLAGE, None)
    client, _user = _client(Role.ORGANISATION_DEPARTMENT, "420222")
    todo = _todo(client)
    assert todo["leave"][0] == 1  # the long leave
    assert "steps" not in todo  # no registry editing for the organisation department
    bureau, _user = _client(Role.REVITALISATION_BUREAU, "420222")
    todo = _todo(bureau)
    assert todo["steps"][0] == 1  # the monitoring past the township's review
    assert "leave" not in todo


def test_a_village_branch_sees_only_what_it_may_act_on():
    _work(VILLAGE, None)
    client, _user = _client(Role.VILLAGE_BRANCH, VILLAGE)
    todo = _todo(client)
    assert {"leave", "steps", "identifications"}.isdisjoint(todo)
    in_village = Household.objects.filter(village_id=VILLAGE)
    visited = Visit.objects.filter(visited_on__gte=_days(-90)).values("household")
    assert todo["visits"][0] == in_village.exclude(pk__in=visited).count() == 6
    assert todo["tasks"][0] == 3


def test_nothing_to_do_is_shown_as_zero(client_insider):
    page = client_insider.get("/dashboard/todo/", headers={"HX-Request": "true"})
    todo = _todo(client_insider)
    assert set(todo) >= {"identifications", "visits", "tasks", "attendance", "leave", "steps"}
    assert all(count == 0 for count, _url in todo.values())
    assert "has-text-grey" in page.content.decode()


def test_the_home_page_asks_for_the_todo_and_a_drill_down_does_not(client_insider):
    home = client_insider.get("/").content.decode()
    assert 'hx-get="/dashboard/todo/"' in home
    village = client_insider.get(f"/regions/{VILLAGE}/").content.decode()
    assert "/dashboard/todo/" not in village


def test_the_todo_followed_as_a_link_is_a_page_with_the_menu(client_insider):
    page = client_insider.get("/dashboard/todo/").content.decode()
    assert "<nav" in page and 'data-testid="todo"' in page
