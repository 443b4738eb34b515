"""The cadres API: scoped lists and records, writes through the services with 422 on a
refusal, computed and entered achievements, the ranking, the leader pool."""

import datetime
from decimal import Decimal

import pytest

from baolei.cadres.choices import AchievementKind
from baolei.cadres.models import Cadre
from tests.cadres.factories import (
    AchievementFactory,
    AssessmentFactory,
    CadreFactory,
    LeaderCandidateFactory,
)
from tests.factories import ApiTokenFactory
from tests.helpers import bearer
from tests.registry.factories import (
    VILLAGE,
    HelperFactory,
    HouseholdFactory,
    PairingFactory,
    VisitFactory,
    id_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def auth(insider):
    return bearer(ApiTokenFactory(user=insider).key)


def test_the_list_holds_the_scope_only_and_filters(client, auth):
    CadreFactory(person__name="兴国甲", rank="section")
    CadreFactory(person__name="兴国乙")
    CadreFactory(person__name="富池丙", region_code="420222101")
    data = client.get("/api/cadres/cadres", headers=auth).json()
    assert sorted(item["name"] for item in data["items"]) == ["兴国乙", "兴国甲"]
    data = client.get("/api/cadres/cadres?rank=section", headers=auth).json()
    assert [item["name"] for item in data["items"]] == ["兴国甲"] and data["count"] == 1


def test_create_and_patch_a_cadre(client, auth):
    body = {
        "id_number": id_number(410),
        "name": "新干部",
        "region_code": "420222100",
        "unit": "兴国镇人民政府",
        "rank": "staff_member",
        "political_status": "party_member",
        "education": "college",
        "work_started_on": "2015-07-01",
    }
    response = client.post(
        "/api/cadres/cadres", body, content_type="application/json", headers=auth
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["id_number"] != body["id_number"]  # masked for a township officer
    again = client.post("/api/cadres/cadres", body, content_type="application/json", headers=auth)
    assert again.status_code == 422 and again.json()["field"] == "id_number"
    patched = client.patch(
        f"/api/cadres/cadres/{pk}",
        {"post": "副镇长", "rank": "deputy_section"},
        content_type="application/json",
        headers=auth,
    )
    assert patched.status_code == 200 and patched.json()["rank"] == "deputy_section"
    moved = client.patch(
        f"/api/cadres/cadres/{pk}",
        {"region_code": "420222101"},
        content_type="application/json",
        headers=auth,
    )
    assert moved.status_code == 422 and moved.json()["field"] == "region_code"
    assert Cadre.objects.get(pk=pk).region_code == "420222100"


def test_achievements_list_computed_and_entered_rows(client, auth):
    helper = HelperFactory(region_code="420222100")
    cadre = CadreFactory(person=helper.person, helper=helper)
    household = HouseholdFactory()
    PairingFactory(helper=helper, household=household, started_on=datetime.date(2021, 1, 1))
    visit = VisitFactory(household=household, helper=helper, visited_on=datetime.date(2024, 5, 1))
    AchievementFactory(cadre=cadre, achieved_on=datetime.date(2024, 6, 1))
    url = f"/api/cadres/cadres/{cadre.pk}/achievements?start=2024-01-01&end=2024-12-31"
    rows = client.get(url, headers=auth).json()
    assert [(row["kind"], row["computed"], row["source"]) for row in rows] == [
        ("project", False, "achievement"),
        ("visit", True, "visit"),
    ]
    assert rows[1]["source_id"] == visit.pk and rows[1]["household_number"] == household.number
    refused = client.post(
        f"/api/cadres/cadres/{cadre.pk}/achievements",
        {
            "kind": "lifted",
            "region_code": VILLAGE,
            "achieved_on": "2024-01-01",
            "title": "x",
            "evidence": "y",
        },
        content_type="application/json",
        headers=auth,
    )
    assert refused.status_code == 422 and refused.json()["code"] == "computed_kind"


def test_an_assessment_is_written_per_year(client, auth):
    cadre = CadreFactory()
    url = f"/api/cadres/cadres/{cadre.pk}/assessments/2024"
    response = client.put(
        url, {"score": "92.5", "grade": "excellent"}, content_type="application/json", headers=auth
    )
    assert response.status_code == 200
    out_of_range = client.put(
        url, {"score": "120", "grade": "excellent"}, content_type="application/json", headers=auth
    )
    assert out_of_range.status_code == 422
    listed = client.get(f"/api/cadres/cadres/{cadre.pk}/assessments", headers=auth).json()
    assert [(row["year"], Decimal(row["score"])) for row in listed] == [(2024, Decimal("92.5"))]


def test_the_ranking_with_weights(client, auth):
    a = CadreFactory(person__name="甲")
    b = CadreFactory(person__name="乙")
    year = datetime.date.today().year
    AssessmentFactory(cadre=a, year=year, score=Decimal("90"))  # 45.00
    AchievementFactory(cadre=b, kind=AchievementKind.PROJECT, achieved_on=datetime.date.today())
    AssessmentFactory(cadre=b, year=year, score=Decimal("80"))  # 6 + 40 = 46.00
    data = client.get("/api/cadres/ranking", headers=auth).json()
    assert [(item["name"], item["score"]) for item in data["items"]] == [
        ("乙", "46.00"),
        ("甲", "45.00"),
    ]
    # A project worth nothing: 甲 45 before 乙 40.
    data = client.get("/api/cadres/ranking?project=0", headers=auth).json()
    assert [item["name"] for item in data["items"]] == ["甲", "乙"]
    assert data["weights"]["project"] == "0"


def test_the_leader_pool(client, auth):
    LeaderCandidateFactory(source="veteran")
    LeaderCandidateFactory(source="veteran", region_code="420222101001")
    counts = client.get("/api/cadres/leaders/counts", headers=auth).json()
    assert counts == [
        {
            "region_code": VILLAGE,
            "counts": {
                "entrepreneur": 0,
                "veteran": 1,
                "returned_migrant": 0,
                "local_party_member": 0,
                "other": 0,
            },
            "total": 1,
        }
    ]
    created = client.post(
        "/api/cadres/leaders",
        {
            "id_number": id_number(420),
            "name": "返乡青年",
            "region_code": VILLAGE,
            "source": "returned_migrant",
            "education": "college",
            "identified_on": "2024-02-01",
        },
        content_type="application/json",
        headers=auth,
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    step = client.post(
        f"/api/cadres/leaders/{pk}/steps",
        {"step": "trained", "done_on": "2024-06-01"},
        content_type="application/json",
        headers=auth,
    )
    assert step.status_code == 201
    detail = client.get(f"/api/cadres/leaders/{pk}", headers=auth).json()
    assert [s["step"] for s in detail["steps"]] == ["identified", "trained"]


def test_a_decision_is_recorded_with_its_basis(client, auth):
    cadre = CadreFactory()
    AssessmentFactory(cadre=cadre, year=datetime.date.today().year, score=Decimal("88"))
    url = f"/api/cadres/cadres/{cadre.pk}/decisions"
    body = {
        "kind": "promoted",
        "decided_on": datetime.date.today().isoformat(),
        "decided_by": "县委",
    }
    response = client.post(url, body, content_type="application/json", headers=auth)
    assert response.status_code == 201, response.content
    basis = response.json()["basis"]
    assert basis["score"] == "44.00" and basis["rank"] == 1 and basis["of"] == 1
    future = {**body, "decided_on": "2999-01-01"}
    refused = client.post(url, future, content_type="application/json", headers=auth)
    assert refused.status_code == 422 and refused.json()["field"] == "decided_on"
    listed = client.get(url, headers=auth).json()
    assert [(item["kind"], item["decided_by"]) for item in listed] == [("promoted", "县委")]
