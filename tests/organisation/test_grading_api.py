"""The grading part of /api/organisation/: gradings, weak branches and tasks, life."""

import datetime

import pytest

from baolei.organisation.models import LifeRecord, TaskStatus
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.organisation import grading_factories as make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/organisation"


@pytest.fixture
def key(insider):
    return ApiTokenFactory(user=insider).key


def test_put_a_grading_and_read_its_explanation(client, key):
    checklist = make.checklist()
    branch = make.branch()
    scores = [
        {"indicator_id": indicator.pk, "score": str(score), "evidence": "台账"}
        for indicator, score in zip(checklist.indicators.all(), (36, 17, 15), strict=True)
    ]
    response = client.put(
        f"{API}/branches/{branch.pk}/gradings/2024",
        data={"scores": scores},
        content_type="application/json",
        headers=bearer(key),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"], body["grade"], body["max_total"]) == ("85.00", "good", "100.00")
    assert body["scores"][1]["explanation"] == "17 of 20 × weight 2 = 34 of 40"
    listed = client.get(f"{API}/gradings?year=2024", headers=bearer(key)).json()
    assert [row["id"] for row in listed] == [body["id"]]


def test_a_bad_score_is_refused_with_its_field(client, key):
    checklist = make.checklist()
    branch = make.branch()
    scores = [
        {"indicator_id": indicator.pk, "score": "99"} for indicator in checklist.indicators.all()
    ]
    response = client.put(
        f"{API}/branches/{branch.pk}/gradings/2024",
        data={"scores": scores},
        content_type="application/json",
        headers=bearer(key),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "score_range"


def test_the_task_life_cycle_through_the_api(client, key):
    task = make.task(make.designation(year=2019, on=datetime.date(2019, 11, 1)))
    base = f"{API}/tasks/{task.pk}"

    def post(path, body):
        return client.post(path, data=body, content_type="application/json", headers=bearer(key))

    assert post(f"{base}/close", {}).status_code == 422  # not verified
    assert post(f"{base}/notes", {"text": "已完成选举"}).status_code == 201
    assert post(f"{base}/submit", {}).json()["status"] == TaskStatus.AWAITING_VERIFICATION
    assert post(f"{base}/verify", {"passed": True}).json()["verification"] == "passed"
    closed = post(f"{base}/close", {}).json()
    assert closed["status"] == "closed" and closed["overdue"] is False
    assert [note["text"] for note in closed["notes"]] == ["已完成选举"]
    weak = client.get(f"{API}/weak-branches?year=2019", headers=bearer(key)).json()
    assert weak[0]["status"] == "closed"


def test_overdue_counts_per_township(client, key):
    make.task(make.designation(year=2019, on=datetime.date(2019, 11, 1)))  # deadline 2024-06-30
    counts = client.get(f"{API}/overdue-counts", headers=bearer(key)).json()
    assert counts == [{"township_code": "420222100", "township_name": "兴国镇", "overdue": 1}]
    overdue = client.get(f"{API}/tasks?overdue=true", headers=bearer(key)).json()
    assert len(overdue) == 1


def test_record_and_list_organisation_life(client, key):
    branch = make.branch()
    body = {
        "organisation_id": branch.pk,
        "kind": "party_lecture",
        "held_on": "2024-05-02",
        "topic": "书记讲党课",
        "attended": 18,
        "expected": 20,
    }
    response = client.post(
        f"{API}/life", data=body, content_type="application/json", headers=bearer(key)
    )
    assert response.status_code == 201
    listed = client.get(f"{API}/life?year=2024&quarter=2", headers=bearer(key)).json()
    assert [row["topic"] for row in listed] == ["书记讲党课"]
    assert LifeRecord.objects.get().recorded_by


def test_a_leader_may_read_but_not_write(client):
    leader = UserFactory(role="leader", scope="420222")
    key = ApiTokenFactory(user=leader).key
    branch = make.branch()
    assert client.get(f"{API}/gradings", headers=bearer(key)).status_code == 200
    response = client.post(
        f"{API}/life",
        data={
            "organisation_id": branch.pk,
            "kind": "party_lecture",
            "held_on": "2024-05-02",
            "topic": "x",
            "attended": 1,
            "expected": 1,
        },
        content_type="application/json",
        headers=bearer(key),
    )
    assert response.status_code == 403


def test_the_gradings_default_to_the_latest_year_graded(client, key):
    """Like the page: without a year, the latest grading (2024 here), not this year's
    empty list; an older year is still there when asked for."""
    older, latest = make.checklist(year=2023), make.checklist(year=2024)
    branch = make.branch()
    make.grade(branch, older, 20, 10, 5)
    graded = make.grade(branch, latest, 36, 17, 15)
    listed = client.get(f"{API}/gradings", headers=bearer(key)).json()
    assert [(row["id"], row["year"], row["grade"]) for row in listed] == [(graded.pk, 2024, "good")]
    older_rows = client.get(f"{API}/gradings?year=2023", headers=bearer(key)).json()
    assert [row["grade"] for row in older_rows] == ["lagging"]


def test_without_any_grading_the_list_is_empty(client, key):
    assert client.get(f"{API}/gradings", headers=bearer(key)).json() == []
