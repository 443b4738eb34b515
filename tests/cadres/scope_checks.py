"""Scope checks of the cadres pages and API (see tests/test_every_endpoint_is_scoped.py):
every URL name and API operation of the app is listed here and tried by the
organisation department of 大冶市 against objects of 兴国镇."""

import datetime

from baolei.cadres.models import (
    Achievement,
    Assessment,
    Cadre,
    DisciplinaryRecord,
    IncentiveDecision,
    LeaderCandidate,
    LeaderDevelopment,
)
from tests.cadres.factories import (
    AchievementFactory,
    AssessmentFactory,
    CadreFactory,
    DisciplinaryRecordFactory,
    LeaderCandidateFactory,
    LeaderDevelopmentFactory,
)
from tests.registry.factories import VILLAGE, id_number
from tests.scoping import lacks, status, xlsx_lacks

NAME = "兴国干部甲"
LEADER = "兴国能人乙"


def things(insider) -> dict:
    cadre = CadreFactory(person__name=NAME, unit="兴国镇党政办")
    DisciplinaryRecordFactory(cadre=cadre)
    achievement = AchievementFactory(cadre=cadre)
    AssessmentFactory(cadre=cadre)
    leader = LeaderCandidateFactory(person__name=LEADER)
    LeaderDevelopmentFactory(candidate=leader)
    return {"cadre": cadre, "leader": leader, "achievement": achievement}


def _counts() -> tuple:
    return (
        Cadre.objects.count(),
        DisciplinaryRecord.objects.count(),
        Achievement.objects.count(),
        Assessment.objects.count(),
        IncentiveDecision.objects.count(),
        LeaderCandidate.objects.count(),
        LeaderDevelopment.objects.count(),
    )


def _nothing_changes(things, code: int):
    """A refused post: the answer, and no cadre record of any kind made or changed."""
    before = _counts()
    unit = things["cadre"].unit

    def check(response):
        assert response.status_code == code, response.status_code
        assert _counts() == before
        assert Cadre.objects.get(pk=things["cadre"].pk).unit == unit

    return check


def page_checks(things: dict) -> list:
    c, leader = things["cadre"], things["leader"]
    page = f"/cadres/{c.pk}/"
    nothing = _nothing_changes(things, 404)
    return [
        ("cadres:index", "get", "/cadres/", lacks(NAME)),
        ("cadres:cadre_list", "get", "/cadres/list/", lacks(NAME)),
        ("cadres:cadre_list", "get", f"/cadres/list/?q={NAME}", lacks(page)),
        ("cadres:cadre_list", "get", "/cadres/list/?region=420222100", lacks(NAME)),
        ("cadres:cadre_export", "get", "/cadres/list/export/", xlsx_lacks(NAME)),
        ("cadres:cadre_export", "get", "/cadres/list/export/?region=420222100", status(404)),
        ("cadres:cadre_detail", "get", page, status(404)),
        ("cadres:cadre_edit", "get", f"{page}edit/", status(404)),
        ("cadres:cadre_edit", "post", f"{page}edit/", nothing),
        ("cadres:cadre_create", "get", "/cadres/new/", status(200)),
        (
            "cadres:cadre_create",
            "post",
            "/cadres/new/",
            _creates_no_cadre("/cadres/new/"),
        ),
        ("cadres:achievement_create", "post", f"{page}achievements/new/", nothing),
        (
            "cadres:evidence",
            "get",
            f"/cadres/achievements/{things['achievement'].pk}/evidence/",
            status(404),
        ),
        ("cadres:assessment_create", "post", f"{page}assessments/new/", nothing),
        ("cadres:discipline_create", "post", f"{page}discipline/new/", nothing),
        ("cadres:decision_create", "get", f"{page}decisions/new/", status(404)),
        ("cadres:decision_create", "post", f"{page}decisions/new/", nothing),
        ("cadres:ranking", "get", "/cadres/ranking/", lacks(NAME)),
        ("cadres:ranking", "get", "/cadres/ranking/?region=420222100", lacks(NAME)),
        ("cadres:ranking_export", "get", "/cadres/ranking/export/", xlsx_lacks(NAME)),
        ("cadres:ranking_export", "get", "/cadres/ranking/export/?region=420222", status(404)),
        ("cadres:leader_list", "get", "/cadres/leaders/", lacks(LEADER)),
        ("cadres:leader_export", "get", "/cadres/leaders/export/", xlsx_lacks(LEADER)),
        ("cadres:leader_create", "get", "/cadres/leaders/new/", status(200)),
        ("cadres:leader_detail", "get", f"/cadres/leaders/{leader.pk}/", status(404)),
        ("cadres:leader_edit", "get", f"/cadres/leaders/{leader.pk}/edit/", status(404)),
        ("cadres:leader_edit", "post", f"/cadres/leaders/{leader.pk}/edit/", nothing),
        (
            "cadres:leader_step_create",
            "post",
            f"/cadres/leaders/{leader.pk}/steps/new/",
            nothing,
        ),
    ]


def _creates_no_cadre(path):
    """A new cadre posted for a township of 阳新县 is refused on the form."""

    def check(response):
        assert response.status_code == 200, response.status_code
        assert not Cadre.objects.filter(person__name="越界干部").exists()

    return check


def api_checks(things: dict) -> list:
    c, leader = things["cadre"], things["leader"]
    base = f"/api/cadres/cadres/{c.pk}"
    no_name = lacks(NAME)
    cadre_body = {
        "id_number": id_number(401),
        "name": "越界干部",
        "region_code": "420222100",
        "unit": "兴国镇",
        "rank": "staff_member",
        "political_status": "party_member",
        "education": "college",
    }
    achievement = {
        "kind": "project",
        "region_code": VILLAGE,
        "achieved_on": "2024-01-01",
        "title": "x",
        "evidence": "y",
    }
    leader_body = {
        "id_number": id_number(402),
        "name": "越界能人",
        "region_code": VILLAGE,
        "source": "veteran",
        "education": "college",
    }
    step = {"step": "trained", "done_on": datetime.date.today().isoformat()}
    return [
        # (operation path, method, request path, body, check)
        ("/api/cadres/cadres", "get", "/api/cadres/cadres", None, no_name),
        ("/api/cadres/cadres", "get", "/api/cadres/cadres?region=420222100", None, status(404)),
        (
            "/api/cadres/cadres",
            "post",
            "/api/cadres/cadres",
            cadre_body,
            _nothing_changes(things, 422),
        ),
        ("/api/cadres/cadres/{pk}", "get", base, None, status(404)),
        ("/api/cadres/cadres/{pk}", "patch", base, {"unit": "x"}, _nothing_changes(things, 404)),
        ("/api/cadres/cadres/{pk}/achievements", "get", f"{base}/achievements", None, status(404)),
        (
            "/api/cadres/cadres/{pk}/achievements",
            "post",
            f"{base}/achievements",
            achievement,
            _nothing_changes(things, 404),
        ),
        ("/api/cadres/cadres/{pk}/assessments", "get", f"{base}/assessments", None, status(404)),
        (
            "/api/cadres/cadres/{pk}/assessments/{year}",
            "put",
            f"{base}/assessments/2023",
            {"score": "90", "grade": "excellent"},
            _nothing_changes(things, 404),
        ),
        (
            "/api/cadres/cadres/{pk}/disciplinary-records",
            "get",
            f"{base}/disciplinary-records",
            None,
            status(404),
        ),
        ("/api/cadres/cadres/{pk}/decisions", "get", f"{base}/decisions", None, status(404)),
        (
            "/api/cadres/cadres/{pk}/decisions",
            "post",
            f"{base}/decisions",
            {"kind": "commended", "decided_on": "2024-01-15", "decided_by": "x"},
            _nothing_changes(things, 404),
        ),
        ("/api/cadres/ranking", "get", "/api/cadres/ranking", None, no_name),
        ("/api/cadres/ranking", "get", "/api/cadres/ranking?region=420222", None, status(404)),
        ("/api/cadres/leaders", "get", "/api/cadres/leaders", None, lacks(LEADER)),
        ("/api/cadres/leaders/counts", "get", "/api/cadres/leaders/counts", None, lacks(VILLAGE)),
        (
            "/api/cadres/leaders",
            "post",
            "/api/cadres/leaders",
            leader_body,
            _nothing_changes(things, 422),
        ),
        ("/api/cadres/leaders/{pk}", "get", f"/api/cadres/leaders/{leader.pk}", None, status(404)),
        (
            "/api/cadres/leaders/{pk}/steps",
            "post",
            f"/api/cadres/leaders/{leader.pk}/steps",
            step,
            _nothing_changes(things, 404),
        ),
    ]
