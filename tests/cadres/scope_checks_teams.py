"""Scope checks of the teams part of cadres (see tests/test_every_endpoint_is_scoped.py):
the organisation department of 大冶市 tries every page and API operation against the work
team, leave, candidate and matching run of 兴国镇."""

import datetime

from baolei.cadres.models import (
    AttendanceMonth,
    Candidate,
    Duty,
    DutyStatus,
    LeaveRequest,
    LeaveStatus,
    MatchingPair,
    MatchingRun,
    TeamMember,
    TeamStatus,
    VillageProfile,
    WorkTeam,
)
from tests.cadres.factories_teams import (
    CandidateFactory,
    DutyFactory,
    LeaveRequestFactory,
    MatchingRunFactory,
    TeamMemberFactory,
    WorkFundEntryFactory,
)
from tests.registry.factories import VILLAGE
from tests.scoping import lacks, status, xlsx_lacks

OTHER_VILLAGE = "420222100002"  # 兴国镇, without a team


def things(insider) -> dict:
    member = TeamMemberFactory(cadre__person__name="兴国书记")
    leave = LeaveRequestFactory(member=member, starts_on=datetime.date(2024, 3, 4))
    long_leave = LeaveRequestFactory(
        member=member, starts_on=datetime.date(2024, 4, 1), ends_on=datetime.date(2024, 4, 10)
    )
    candidate = CandidateFactory(cadre__person__name="兴国人选")
    run = MatchingRunFactory()
    pair = MatchingPair.objects.create(run=run, village_id=VILLAGE, candidate=candidate, fit=40)
    WorkFundEntryFactory(team=member.team, purpose="兴国经费拨付")
    return {
        "member": member,
        "team": member.team,
        "duty": DutyFactory(team=member.team),
        "leave": leave,
        "long_leave": long_leave,
        "candidate": candidate,
        "run": run,
        "pair": pair,
    }


def _unchanged(things):
    """A post that must change nothing of 兴国镇."""

    def check(response):
        assert response.status_code in (403, 404), response.status_code
        team = WorkTeam.objects.get(pk=things["team"].pk)
        assert team.status == TeamStatus.ACTIVE and team.members.count() == 1
        before = things["team"]
        assert (team.dispatching_unit, team.ends_on, team.funds) == (
            before.dispatching_unit,
            before.ends_on,
            before.funds,
        )
        assert team.duties.count() == 1 and team.fund_entries.count() == 1
        assert Duty.objects.get(pk=things["duty"].pk).status == DutyStatus.PLANNED
        assert TeamMember.objects.get(pk=things["member"].pk).ended_on is None
        assert not AttendanceMonth.objects.exists()
        assert LeaveRequest.objects.filter(status=LeaveStatus.PENDING).count() == 2
        assert MatchingRun.objects.get(pk=things["run"].pk).status == "proposed"
        assert MatchingPair.objects.get(pk=things["pair"].pk).candidate_id is not None
        assert Candidate.objects.count() == 1 and WorkTeam.objects.count() == 1

    return check


def page_checks(things: dict) -> list:
    team, member, run = things["team"], things["member"], things["run"]
    t, m = f"/cadres/teams/{team.pk}/", f"/cadres/teams/members/{member.pk}/"
    gone, same = status(404), _unchanged(things)
    name = "兴国书记"
    return [
        ("cadres:team_list", "get", "/cadres/teams/", lacks(t)),
        ("cadres:team_list", "get", "/cadres/teams/?region=420222100", gone),
        ("cadres:team_create", "get", "/cadres/teams/new/", status(200)),
        ("cadres:team_create", "post", "/cadres/teams/new/", _creates_no_team(things)),
        ("cadres:team_detail", "get", t, gone),
        ("cadres:team_edit", "get", f"{t}edit/", gone),
        ("cadres:team_edit", "post", f"{t}edit/", same),
        ("cadres:fund_add", "get", f"{t}funds/new/", gone),
        ("cadres:fund_add", "post", f"{t}funds/new/", same),
        ("cadres:member_add", "get", f"{t}members/new/", gone),
        ("cadres:member_add", "post", f"{t}members/new/", same),
        ("cadres:team_recall", "post", f"{t}recall/", same),
        ("cadres:duty_add", "post", f"{t}duties/new/", same),
        ("cadres:duty_update", "post", f"/cadres/teams/duties/{things['duty'].pk}/", same),
        ("cadres:member_rotate", "get", f"{m}rotate/", gone),
        ("cadres:member_rotate", "post", f"{m}rotate/", same),
        ("cadres:member_end", "get", f"{m}end/", gone),
        ("cadres:member_end", "post", f"{m}end/", same),
        ("cadres:attendance_entry", "get", f"{m}attendance/", gone),
        ("cadres:attendance_entry", "post", f"{m}attendance/", same),
        ("cadres:leave_create", "post", f"{m}leave/", same),
        ("cadres:below_rule", "get", "/cadres/teams/attendance/below/?year=2024", lacks(name)),
        (
            "cadres:below_rule_export",
            "get",
            "/cadres/teams/attendance/below/export/?year=2024&month=3",
            xlsx_lacks(name),
        ),
        ("cadres:leave_list", "get", "/cadres/teams/leave/", lacks(name)),
        (
            "cadres:leave_decide",
            "post",
            f"/cadres/teams/leave/{things['long_leave'].pk}/decide/",
            same,
        ),
        (
            "cadres:first_secretary_export",
            "get",
            "/cadres/teams/first-secretaries/export/",
            xlsx_lacks(name),
        ),
        (
            "cadres:first_secretary_export",
            "get",
            "/cadres/teams/first-secretaries/export/?region=420222100",
            gone,
        ),
        ("cadres:team_rules", "get", "/cadres/teams/rules/?region=420222", gone),
        ("cadres:team_rules", "post", "/cadres/teams/rules/?region=420222", gone),
        ("cadres:candidate_list", "get", "/cadres/teams/candidates/?year=2025", lacks("兴国人选")),
        ("cadres:candidate_create", "get", "/cadres/teams/candidates/new/", lacks("兴国人选")),
        ("cadres:candidate_create", "post", "/cadres/teams/candidates/new/", _no_candidate()),
        ("cadres:gap_list", "get", "/cadres/teams/gaps/?region=420222", gone),
        (
            "cadres:village_industry",
            "post",
            f"/cadres/teams/villages/{VILLAGE}/industry/",
            _no_industry(),
        ),
        ("cadres:matching_list", "get", "/cadres/teams/matching/", lacks(f"/matching/{run.pk}/")),
        ("cadres:matching_list", "post", "/cadres/teams/matching/", _no_run(things)),
        ("cadres:matching_detail", "get", f"/cadres/teams/matching/{run.pk}/", gone),
        ("cadres:matching_confirm", "post", f"/cadres/teams/matching/{run.pk}/confirm/", same),
        ("cadres:matching_discard", "post", f"/cadres/teams/matching/{run.pk}/discard/", same),
        ("cadres:pair_adjust", "get", f"/cadres/teams/matching/pairs/{things['pair'].pk}/", gone),
        (
            "cadres:pair_adjust",
            "get",
            f"/cadres/teams/matching/pairs/{things['pair'].pk}/?q=兴国",
            gone,
        ),
        ("cadres:pair_adjust", "post", f"/cadres/teams/matching/pairs/{things['pair'].pk}/", same),
    ]


def _creates_no_team(things):
    def check(response):
        assert response.status_code == 200, response.status_code
        assert WorkTeam.objects.count() == 1

    return check


def _no_candidate():
    def check(response):
        assert response.status_code == 200, response.status_code
        assert Candidate.objects.count() == 1

    return check


def _no_industry():
    def check(response):
        assert response.status_code == 404, response.status_code
        assert not VillageProfile.objects.exists()

    return check


def _no_run(things):
    def check(response):
        assert response.status_code == 200, response.status_code
        assert MatchingRun.objects.count() == 1

    return check


def team_write_api_checks(things: dict) -> list:
    """The writes on a team, its duties and ledger, and the list below the rule."""
    team, member, same = things["team"], things["member"], _unchanged(things)
    t, m = f"/api/cadres/teams/{team.pk}", f"/api/cadres/members/{member.pk}"
    # valid bodies: tests/cadres/test_team_writes_scope.py sends them as the insider
    new_team = {"village_code": OTHER_VILLAGE, "dispatching_unit": "x", "starts_on": "2025-01-01"}
    cadre = things["candidate"].cadre_id
    joins = {"cadre_id": cadre, "role": "member", "starts_on": "2024-02-01"}
    duty = {"kind": "service", "description": "x", "due_on": "2024-09-30"}
    entry = {"kind": "allocation", "date": "2024-02-01", "amount": "100", "purpose": "x"}
    below = "/api/cadres/attendance/below"
    return [
        ("/api/cadres/teams", "post", "/api/cadres/teams", new_team, same),
        ("/api/cadres/teams/{pk}", "patch", t, {"dispatching_unit": "x"}, same),
        ("/api/cadres/teams/{pk}/members", "post", f"{t}/members", joins, same),
        (
            "/api/cadres/teams/{pk}/recall",
            "post",
            f"{t}/recall",
            {"on": "2024-06-01", "reason": "x"},
            same,
        ),
        (
            "/api/cadres/members/{pk}/rotate",
            "post",
            f"{m}/rotate",
            {"cadre_id": cadre, "on": "2025-01-01"},
            same,
        ),
        (
            "/api/cadres/members/{pk}/end",
            "post",
            f"{m}/end",
            {"ended_on": "2024-06-01", "reason": "recalled"},
            same,
        ),
        ("/api/cadres/teams/{pk}/duties", "post", f"{t}/duties", duty, same),
        (
            "/api/cadres/duties/{pk}/status",
            "put",
            f"/api/cadres/duties/{things['duty'].pk}/status",
            {"status": "done", "done_on": "2024-05-01"},
            same,
        ),
        ("/api/cadres/teams/{pk}/funds", "get", f"{t}/funds", None, status(404)),
        ("/api/cadres/teams/{pk}/funds", "post", f"{t}/funds", entry, same),
        # JSON escapes Chinese characters: look for the village's code instead
        ("/api/cadres/attendance/below", "get", f"{below}?year=2024", None, lacks(VILLAGE)),
        (
            "/api/cadres/attendance/below",
            "get",
            f"{below}?year=2024&month=3",
            None,
            lacks(VILLAGE),
        ),
        ("/api/cadres/attendance/below", "get", f"{below}?region=420222100", None, status(404)),
    ]


def api_checks(things: dict) -> list:
    team, member, run, pair = things["team"], things["member"], things["run"], things["pair"]
    same = _unchanged(things)
    month = f"/api/cadres/members/{member.pk}/attendance/2024/3"
    return [
        *team_write_api_checks(things),
        ("/api/cadres/teams", "get", "/api/cadres/teams", None, lacks("兴国书记")),
        ("/api/cadres/teams/{pk}", "get", f"/api/cadres/teams/{team.pk}", None, status(404)),
        (
            "/api/cadres/first-secretaries",
            "get",
            "/api/cadres/first-secretaries",
            None,
            lacks("兴国书记"),
        ),
        (
            "/api/cadres/members/{pk}/attendance/{year}/{month}",
            "get",
            month,
            None,
            status(404),
        ),
        ("/api/cadres/members/{pk}/attendance/{year}/{month}", "put", month, {"days": 20}, same),
        (
            "/api/cadres/members/{pk}/leave",
            "post",
            f"/api/cadres/members/{member.pk}/leave",
            {"starts_on": "2024-05-01", "ends_on": "2024-05-02", "reason": "x"},
            same,
        ),
        ("/api/cadres/leave/queue", "get", "/api/cadres/leave/queue", None, lacks("2024-04-01")),
        (
            "/api/cadres/leave/{pk}/decision",
            "post",
            f"/api/cadres/leave/{things['long_leave'].pk}/decision",
            {"approve": True},
            same,
        ),
        (
            "/api/cadres/candidates",
            "get",
            "/api/cadres/candidates?year=2025",
            None,
            lacks("兴国人选"),
        ),
        ("/api/cadres/gaps", "get", "/api/cadres/gaps?region=420222", None, status(404)),
        (
            "/api/cadres/matching",
            "post",
            "/api/cadres/matching",
            {"region_code": "420222", "year": 2025},
            same,
        ),
        ("/api/cadres/matching/{pk}", "get", f"/api/cadres/matching/{run.pk}", None, status(404)),
        (
            "/api/cadres/matching/{pk}/pairs/{pair_id}",
            "put",
            f"/api/cadres/matching/{run.pk}/pairs/{pair.pk}",
            {"candidate_id": None},
            same,
        ),
        (
            "/api/cadres/matching/{pk}/confirm",
            "post",
            f"/api/cadres/matching/{run.pk}/confirm",
            None,
            same,
        ),
        (
            "/api/cadres/matching/{pk}/discard",
            "post",
            f"/api/cadres/matching/{run.pk}/discard",
            None,
            same,
        ),
    ]
