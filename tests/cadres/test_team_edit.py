"""Editing a work team (page and API), the team writes of the API through the page's
services, the work-fund ledger, and the completion date of a duty."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from baolei.audit.models import AuditEvent
from baolei.cadres.models import (
    Duty,
    DutyStatus,
    EndReason,
    FundKind,
    TeamMember,
    TeamStatus,
    WorkFundEntry,
    WorkTeam,
)
from baolei.cadres.services import funds as services_funds
from baolei.cadres.services import teams as services
from tests.cadres.factories import CadreFactory
from tests.cadres.factories_teams import (
    DutyFactory,
    TeamMemberFactory,
    WorkFundEntryFactory,
    WorkTeamFactory,
)
from tests.factories import ApiTokenFactory
from tests.helpers import bearer
from tests.registry.factories import VILLAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


@pytest.fixture
def today(monkeypatch):
    day = D(2025, 3, 10)
    monkeypatch.setattr(timezone, "localdate", lambda *args: day)
    return day


@pytest.fixture
def api(client, insider):
    key = ApiTokenFactory(user=insider).key

    def call(method, path, body=None):
        if body is None:
            return getattr(client, method)(path, headers=bearer(key))
        return getattr(client, method)(
            path, data=body, content_type="application/json", headers=bearer(key)
        )

    return call


# --- 1. editing a team ---------------------------------------------------------------------


def test_editing_a_team_changes_what_it_is_and_the_audit_keeps_what_it_was(insider):
    team = WorkTeamFactory()  # 阳新县农业农村局, 2024-01-01 – 2026-01-01, 50,000 yuan
    services.do_update_team(
        insider, team, dispatching_unit="阳新县财政局", ends_on=D(2026, 6, 30), funds="80000"
    )
    team = WorkTeam.objects.get(pk=team.pk)
    assert (team.dispatching_unit, team.ends_on, team.funds) == (
        "阳新县财政局",
        D(2026, 6, 30),
        Decimal("80000.00"),
    )
    assert team.starts_on == D(2024, 1, 1) and team.status == TeamStatus.ACTIVE
    event = AuditEvent.objects.filter(
        model="cadres.workteam", object_pk=str(team.pk), action="update"
    ).get()
    assert event.changes["dispatching_unit"] == ["阳新县农业农村局", "阳新县财政局"]
    assert event.changes["ends_on"] == ["2026-01-01", "2026-06-30"]
    assert event.changes["funds"] == ["50000.00", "80000.00"]


def test_editing_refuses_a_bad_term_an_ended_team_history_and_another_scope(insider, neighbour):
    member = TeamMemberFactory(starts_on=D(2025, 2, 1))
    team = member.team

    def refused(actor=insider, **fields):
        with pytest.raises(services.TeamsError) as error:
            services.do_update_team(actor, team, **fields)
        return error.value.code, error.value.field

    assert refused(ends_on=D(2024, 1, 1)) == ("term", "ends_on")
    # the first secretary took up the post on 2025-02-01: the term cannot end before
    assert refused(ends_on=D(2025, 1, 31)) == ("member_after_term", "ends_on")
    assert refused(dispatching_unit="  ") == ("unit", "dispatching_unit")
    assert refused(funds=-1) == ("funds", "funds")
    assert refused(status="ended") == ("unknown_field", "status")
    assert refused(starts_on=D(2023, 1, 1)) == ("unknown_field", "starts_on")
    assert refused(neighbour, funds=1)[0] == "out_of_scope"
    services.do_recall(insider, team, D(2025, 3, 1), "不在岗")
    assert refused(funds=1)[0] == "team_not_active"
    assert WorkTeam.objects.get(pk=team.pk).funds == Decimal("50000.00")


def test_the_edit_page_saves_and_warns_of_a_first_secretary_s_short_term(client_insider):
    member = TeamMemberFactory(cadre__person__name="短任期")  # in post from 2024-01-01
    page = f"/cadres/teams/{member.team_id}/edit/"
    form = client_insider.get(page)
    assert form.status_code == 200 and 'value="阳新县农业农村局"' in form.content.decode()
    assert (
        f'href="{page}"' in client_insider.get(f"/cadres/teams/{member.team_id}/").content.decode()
    )
    data = {"dispatching_unit": "阳新县委组织部", "ends_on": "2025-06-30", "funds": "60000"}
    done = client_insider.post(page, data, follow=True)
    assert done.redirect_chain[-1][0] == f"/cadres/teams/{member.team_id}/"
    assert "短任期 serves as first secretary only until 2025-06-30" in done.content.decode()
    team = WorkTeam.objects.get(pk=member.team_id)
    assert (team.dispatching_unit, team.ends_on, team.funds) == (
        "阳新县委组织部",
        D(2025, 6, 30),
        Decimal("60000.00"),
    )
    refused = client_insider.post(page, {**data, "ends_on": "2023-12-31"})
    assert "The term must end after it starts." in refused.content.decode()


def test_creating_and_editing_a_team_through_the_api(api):
    body = {"village_code": VILLAGE, "dispatching_unit": "县委组织部", "starts_on": "2025-03-01"}
    created = api("post", "/api/cadres/teams", {**body, "funds": "30000"})
    assert created.status_code == 201, created.content
    team = created.json()
    assert (team["ends_on"], team["funds"], team["funds_balance"]) == (
        "2027-03-01",
        "30000.00",
        "0.00",
    )
    again = api("post", "/api/cadres/teams", body)
    assert again.status_code == 422 and again.json()["code"] == "team_exists"
    township = api("post", "/api/cadres/teams", {**body, "village_code": "420222100"})
    assert township.status_code == 422 and township.json()["field"] == "village"
    patched = api("patch", f"/api/cadres/teams/{team['id']}", {"ends_on": "2027-12-31"})
    assert patched.status_code == 200 and patched.json()["ends_on"] == "2027-12-31"
    assert patched.json()["dispatching_unit"] == "县委组织部"  # untouched
    bad = api("patch", f"/api/cadres/teams/{team['id']}", {"ends_on": "2025-01-01"})
    assert bad.status_code == 422 and bad.json()["field"] == "ends_on"
    history = api("patch", f"/api/cadres/teams/{team['id']}", {"status": "ended"})
    assert history.status_code == 422  # not a field of the edit
    assert WorkTeam.objects.get(pk=team["id"]).status == TeamStatus.ACTIVE


def test_members_through_the_api_add_rotate_and_end(api):
    team = WorkTeamFactory()
    first, successor, helper = CadreFactory(), CadreFactory(person__name="接任"), CadreFactory()
    url = f"/api/cadres/teams/{team.pk}/members"
    added = api(
        "post", url, {"cadre_id": first.pk, "role": "first_secretary", "starts_on": "2024-01-01"}
    )
    assert added.status_code == 201 and added.json()["role"] == "first_secretary"
    masses = CadreFactory(political_status="masses")
    leader = api("post", url, {"cadre_id": masses.pk, "role": "leader", "starts_on": "2024-01-01"})
    assert leader.status_code == 201  # a team leader need not be a party member
    second = api(
        "post", url, {"cadre_id": helper.pk, "role": "first_secretary", "starts_on": "2024-01-01"}
    )
    assert second.status_code == 422 and second.json()["code"] == "first_secretary_exists"
    member = added.json()["id"]
    rotated = api(
        "post",
        f"/api/cadres/members/{member}/rotate",
        {"cadre_id": successor.pk, "on": "2025-01-01"},
    )
    assert rotated.status_code == 201, rotated.content
    assert (rotated.json()["name"], rotated.json()["starts_on"]) == ("接任", "2025-01-01")
    assert rotated.json()["short_of_full_term"] is True  # the team's term ends 2026-01-01
    old = TeamMember.objects.get(pk=member)
    assert (old.ended_on, old.end_reason) == (D(2024, 12, 31), EndReason.ROTATED)
    ended = api(
        "post",
        f"/api/cadres/members/{rotated.json()['id']}/end",
        {"ended_on": "2025-02-01", "reason": "recalled", "note": "长期不在岗"},
    )
    assert ended.status_code == 200 and ended.json()["end_reason"] == "recalled"
    twice = api(
        "post",
        f"/api/cadres/members/{rotated.json()['id']}/end",
        {"ended_on": "2025-02-02", "reason": "term_ended"},
    )
    assert twice.status_code == 422 and twice.json()["code"] == "already_ended"
    rotated_reason = api(
        "post", f"/api/cadres/members/{member}/end", {"ended_on": "2025-02-02", "reason": "rotated"}
    )
    assert rotated_reason.status_code == 422  # rotation has its own step


def test_recall_and_duties_through_the_api(api, today):
    team = TeamMemberFactory().team
    duty = api(
        "post",
        f"/api/cadres/teams/{team.pk}/duties",
        {"kind": "governance", "description": "修订村规民约", "due_on": "2025-06-30"},
    )
    assert duty.status_code == 201 and duty.json()["status"] == DutyStatus.PLANNED
    done = api(
        "put",
        f"/api/cadres/duties/{duty.json()['id']}/status",
        {"status": "done", "done_on": "2025-02-20", "result": "村民代表会议通过"},
    )
    assert done.status_code == 200
    assert (done.json()["done_on"], done.json()["result"]) == ("2025-02-20", "村民代表会议通过")
    shown = api("get", f"/api/cadres/teams/{team.pk}").json()
    assert [d["description"] for d in shown["duties"]] == ["修订村规民约"]
    recalled = api(
        "post", f"/api/cadres/teams/{team.pk}/recall", {"on": "2025-03-01", "reason": "x"}
    )
    assert recalled.status_code == 200 and recalled.json()["status"] == TeamStatus.RECALLED
    assert recalled.json()["members"][0]["end_reason"] == EndReason.RECALLED
    late = api(
        "post",
        f"/api/cadres/teams/{team.pk}/duties",
        {"kind": "service", "description": "x", "due_on": "2025-06-30"},
    )
    assert late.status_code == 422 and late.json()["code"] == "team_not_active"


def test_a_first_secretary_may_mark_a_duty_done_but_not_add_one(client, today):
    from baolei.accounts.permissions import Role
    from tests.factories import UserFactory

    secretary = UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE)
    key = bearer(ApiTokenFactory(user=secretary).key)
    duty = DutyFactory()
    put = client.put(
        f"/api/cadres/duties/{duty.pk}/status",
        {"status": "done"},
        content_type="application/json",
        headers=key,
    )
    assert put.status_code == 200 and put.json()["done_on"] == "2025-03-10"
    add = client.post(
        f"/api/cadres/teams/{duty.team_id}/duties",
        {"kind": "service", "description": "x", "due_on": "2025-06-30"},
        content_type="application/json",
        headers=key,
    )
    assert add.status_code == 403


# --- 2. the work-fund ledger ---------------------------------------------------------------


def test_the_ledger_totals_allocations_less_expenditures(insider, today):
    team = WorkTeamFactory()  # from 2024-01-01, 50,000 planned
    add = services_funds.do_add_fund_entry
    add(insider, team, FundKind.ALLOCATION, D(2024, 1, 15), "30000", "县财政拨付")
    add(insider, team, FundKind.ALLOCATION, D(2024, 7, 1), Decimal("20000"), "派出单位拨付")
    add(insider, team, FundKind.EXPENDITURE, D(2024, 8, 3), "12500.50", "村部修缮")
    totals = services_funds.totals(team)
    assert (totals.planned, totals.allocated, totals.spent, totals.balance) == (
        Decimal("50000.00"),
        Decimal("50000.00"),
        Decimal("12500.50"),
        Decimal("37499.50"),
    )
    assert AuditEvent.objects.filter(model="cadres.workfundentry", action="create").count() == 3


@pytest.mark.parametrize(
    ("kind", "day", "amount", "purpose", "code", "field"),
    [
        (FundKind.EXPENDITURE, D(2024, 9, 1), "1000.01", "购置办公用品", "over_balance", "amount"),
        (FundKind.ALLOCATION, D(2025, 3, 11), "100", "拨付", "future", "date"),
        (FundKind.ALLOCATION, D(2023, 12, 31), "100", "拨付", "before_team", "date"),
        (FundKind.ALLOCATION, D(2024, 9, 1), "0", "拨付", "amount", "amount"),
        (FundKind.ALLOCATION, D(2024, 9, 1), "100", " ", "purpose", "purpose"),
        ("loan", D(2024, 9, 1), "100", "借款", "kind", "kind"),
    ],
)
def test_the_ledger_refuses(insider, today, kind, day, amount, purpose, code, field):
    team = WorkTeamFactory()
    WorkFundEntryFactory(team=team, amount=1000)  # 1,000 allocated: the balance
    with pytest.raises(services.TeamsError) as error:
        services_funds.do_add_fund_entry(insider, team, kind, day, amount, purpose)
    assert (error.value.code, error.value.field) == (code, field)
    assert WorkFundEntry.objects.count() == 1


def test_a_recalled_team_s_ledger_ends_with_the_team(insider, today):
    team = WorkTeamFactory()
    WorkFundEntryFactory(team=team, amount=1000)
    services.do_recall(insider, team, D(2024, 10, 31), "整体召回")
    with pytest.raises(services.TeamsError) as error:
        services_funds.do_add_fund_entry(
            insider, team, FundKind.EXPENDITURE, D(2024, 11, 1), 10, "x"
        )
    assert error.value.code == "after_team"
    # an expenditure of its time may still be entered after the recall
    services_funds.do_add_fund_entry(insider, team, FundKind.EXPENDITURE, D(2024, 10, 30), 10, "x")
    assert services_funds.totals(team).balance == Decimal("990.00")


def test_the_ledger_on_the_page_and_in_the_api(client_insider, api, today):
    team = WorkTeamFactory()
    url = f"/cadres/teams/{team.pk}/funds/new/"
    data = {"kind": "allocation", "date": "2024-02-01", "amount": "40000", "purpose": "县财政拨付"}
    assert client_insider.post(url, data).status_code == 302
    over = client_insider.post(url, {**data, "kind": "expenditure", "amount": "40000.01"})
    assert over.status_code == 200
    assert "Only 40,000.00 yuan allocated to the team is left to spend." in over.content.decode()
    spent = api(
        "post",
        f"/api/cadres/teams/{team.pk}/funds",
        {"kind": "expenditure", "date": "2024-05-06", "amount": "8000", "purpose": "产业路硬化"},
    )
    assert spent.status_code == 201 and spent.json()["amount"] == "8000.00"
    page = client_insider.get(f"/cadres/teams/{team.pk}/").content.decode()
    assert 'data-testid="fund-balance">32000.00<' in page and "产业路硬化" in page
    ledger = api("get", f"/api/cadres/teams/{team.pk}/funds").json()
    assert (ledger["allocated"], ledger["spent"], ledger["balance"]) == (
        "40000.00",
        "8000.00",
        "32000.00",
    )
    assert [e["purpose"] for e in ledger["entries"]] == ["县财政拨付", "产业路硬化"]
    listed = api("get", "/api/cadres/teams").json()
    assert listed[0]["funds_balance"] == "32000.00" and listed[0]["funds"] == "50000.00"


# --- 3. the day a duty was done --------------------------------------------------------------


def test_a_duty_done_records_the_day_given_or_today(insider, today):
    duty = DutyFactory()  # team from 2024-01-01
    services.do_update_duty(insider, duty, DutyStatus.DONE, done_on=D(2024, 12, 20))
    assert Duty.objects.get(pk=duty.pk).done_on == D(2024, 12, 20)
    # saved again as done without a day: the day on record stays
    services.do_update_duty(insider, duty, DutyStatus.DONE, result="已验收")
    assert Duty.objects.get(pk=duty.pk).done_on == D(2024, 12, 20)
    services.do_update_duty(insider, duty, DutyStatus.IN_PROGRESS)
    assert Duty.objects.get(pk=duty.pk).done_on is None
    services.do_update_duty(insider, duty, DutyStatus.DONE)
    assert Duty.objects.get(pk=duty.pk).done_on == today


@pytest.mark.parametrize(
    ("day", "code"), [(D(2025, 3, 11), "future"), (D(2023, 12, 31), "before_team")]
)
def test_a_duty_is_not_done_in_the_future_or_before_the_term(insider, today, day, code):
    duty = DutyFactory()
    with pytest.raises(services.TeamsError) as error:
        services.do_update_duty(insider, duty, DutyStatus.DONE, done_on=day)
    assert (error.value.code, error.value.field) == (code, "done_on")
    assert Duty.objects.get(pk=duty.pk).status == DutyStatus.PLANNED
    assert services.do_update_duty(insider, duty, DutyStatus.DONE, done_on=D(2024, 1, 1))


def test_the_duty_form_takes_the_day(client_insider, today):
    duty = DutyFactory()
    team_page = f"/cadres/teams/{duty.team_id}/"
    assert 'name="done_on"' in client_insider.get(team_page).content.decode()
    url = f"/cadres/teams/duties/{duty.pk}/"
    client_insider.post(url, {"status": "done", "done_on": "2025-01-15", "result": "完成"})
    assert Duty.objects.get(pk=duty.pk).done_on == D(2025, 1, 15)
    refused = client_insider.post(url, {"status": "done", "done_on": "2025-04-01"}, follow=True)
    assert "The date cannot be in the future." in refused.content.decode()
    assert Duty.objects.get(pk=duty.pk).done_on == D(2025, 1, 15)
    client_insider.post(url, {"status": "done", "done_on": ""})
    assert Duty.objects.get(pk=duty.pk).done_on == D(2025, 1, 15)  # kept
