"""Who does the branch's work and who judges it.

The village (its branch account, its first secretary) records organisation life and the
progress of its rectification tasks — on a phone, in pages and API. The township or the
county grades the branch and closes (销号) its tasks: a village-level account may not,
whatever its permissions, in the pages, the API and the services."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.organisation.models import (
    BranchGrading,
    LifeRecord,
    RectificationNote,
    TaskStatus,
)
from baolei.organisation.services import grading, rectification
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.organisation import grading_factories as make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date
VILLAGE = "420222100001"  # 山川台, 兴国镇: the branch of the factories
OTHER_VILLAGE = "420222100002"
API = "/api/organisation"
JSON = "application/json"
FULL_MARKS = (40, 20, 20)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def village_branch():
    return _client(UserFactory(role=Role.VILLAGE_BRANCH, scope=VILLAGE))


@pytest.fixture
def secretary():
    return UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE)


@pytest.fixture
def other_secretary():
    return UserFactory(role=Role.FIRST_SECRETARY, scope=OTHER_VILLAGE)


def _full_marks(checklist) -> dict:
    fields = {"note": "满分"}
    for indicator, score in zip(checklist.indicators.all(), FULL_MARKS, strict=True):
        fields[f"score_{indicator.pk}"] = str(score)
    return fields


def _verified_task():
    """A task of the village's branch, verified and passed: ready to be closed."""
    task = make.task(make.designation(year=2024, on=D(2024, 3, 1)))
    rectification.do_add_note(None, task, D(2024, 4, 1), "已选出新书记")
    rectification.do_request_verification(None, task)
    rectification.do_verify(None, task, True, D(2024, 4, 10))
    return task


# --- grading: the township or county only -------------------------------------------------


def test_a_village_branch_cannot_grade_its_own_branch(village_branch):
    checklist = make.checklist(year=2024)
    branch = make.branch()
    graded = make.grade(branch, checklist, 20, 10, 5)  # lagging, by the township
    page = f"/organisation/grading/branches/{branch.pk}/2024/"

    assert village_branch.post(page, _full_marks(checklist)).status_code == 403
    assert village_branch.get(page).status_code == 403
    assert BranchGrading.objects.get().total == graded.total == Decimal("45.00")
    record = village_branch.get(f"/organisation/grading/branches/{branch.pk}/").content.decode()
    assert 'data-testid="grade-this-year"' not in record and page not in record


def test_the_township_grades_the_branch(client_insider):
    checklist = make.checklist(year=2024)
    branch = make.branch()
    response = client_insider.post(
        f"/organisation/grading/branches/{branch.pk}/2024/", _full_marks(checklist)
    )
    assert response.status_code == 302
    assert BranchGrading.objects.get().total == Decimal("100.00")
    record = client_insider.get(f"/organisation/grading/branches/{branch.pk}/").content.decode()
    assert 'data-testid="grade-this-year"' in record


def test_the_grading_api_refuses_a_village_scope():
    """The API checks the scope's level, not only the role: a system administrator
    confined to a village (every permission) still may not grade."""
    checklist = make.checklist(year=2024)
    branch = make.branch()
    scores = [
        {"indicator_id": indicator.pk, "score": str(score)}
        for indicator, score in zip(checklist.indicators.all(), FULL_MARKS, strict=True)
    ]
    admin = UserFactory(role=Role.SYSTEM_ADMIN, scope=VILLAGE)
    response = Client().put(
        f"{API}/branches/{branch.pk}/gradings/2024",
        data={"scores": scores},
        content_type=JSON,
        headers=bearer(ApiTokenFactory(user=admin).key),
    )
    assert response.status_code == 403
    assert not BranchGrading.objects.exists()


def test_the_grading_service_refuses_a_village_scope():
    checklist = make.checklist(year=2024)
    branch = make.branch()
    entries = {
        indicator.pk: grading.ScoreEntry(Decimal(score))
        for indicator, score in zip(checklist.indicators.all(), FULL_MARKS, strict=True)
    }
    village = Scope(role=Role.VILLAGE_BRANCH, region_code=VILLAGE)
    with pytest.raises(grading.GradingError) as refused:
        grading.do_save_grading(None, branch, 2024, entries, scope=village)
    assert refused.value.code == "grader"
    assert not BranchGrading.objects.exists()
    township = Scope(role=Role.TOWNSHIP_OFFICER, region_code="420222100")
    assert grading.do_save_grading(None, branch, 2024, entries, scope=township).grade == "advanced"


# --- closing (销号): the township or county only --------------------------------------------


def test_a_village_branch_cannot_close_its_own_task(village_branch):
    task = _verified_task()
    page = village_branch.get(f"/organisation/tasks/{task.pk}/").content.decode()
    assert 'data-testid="close-form"' not in page
    response = village_branch.post(
        f"/organisation/tasks/{task.pk}/close/", {"closed_on": "2024-04-11"}
    )
    assert response.status_code == 403
    task.refresh_from_db()
    assert (task.status, task.closed_on) == (TaskStatus.AWAITING_VERIFICATION, None)
    assert task.designation.status != "closed"


def test_the_township_closes_the_task(client_insider):
    task = _verified_task()
    page = client_insider.get(f"/organisation/tasks/{task.pk}/").content.decode()
    assert 'data-testid="close-form"' in page
    response = client_insider.post(
        f"/organisation/tasks/{task.pk}/close/", {"closed_on": "2024-04-11"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.closed_on) == (TaskStatus.CLOSED, D(2024, 4, 11))


def test_the_close_api_refuses_a_village_scope():
    task = _verified_task()
    admin = UserFactory(role=Role.SYSTEM_ADMIN, scope=VILLAGE)
    response = Client().post(
        f"{API}/tasks/{task.pk}/close",
        data={},
        content_type=JSON,
        headers=bearer(ApiTokenFactory(user=admin).key),
    )
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.AWAITING_VERIFICATION


def test_the_close_service_refuses_a_village_scope():
    task = _verified_task()
    village = Scope(role=Role.VILLAGE_BRANCH, region_code=VILLAGE)
    with pytest.raises(rectification.RectificationError) as refused:
        rectification.do_close_task(None, task, D(2024, 4, 11), scope=village)
    assert refused.value.code == "verifier"
    task.refresh_from_db()
    assert task.status == TaskStatus.AWAITING_VERIFICATION
    county = Scope(role=Role.ORGANISATION_DEPARTMENT, region_code="420222")
    closed = rectification.do_close_task(None, task, D(2024, 4, 11), scope=county)
    assert closed.status == TaskStatus.CLOSED


# --- the first secretary records the branch's work ------------------------------------------


def _meeting(branch, topic: str = "学习二十大精神") -> dict:
    return {
        "organisation": branch.pk,
        "kind": "party_lecture",
        "held_on": "2024-05-06",
        "topic": topic,
        "attended": 15,
        "expected": 18,
    }


def test_the_first_secretary_records_a_meeting_and_a_note(secretary):
    client = _client(secretary)
    branch = make.branch()
    task = make.task(make.designation(branch, year=2024, on=D(2024, 3, 1)))

    assert 'href="/organisation/life/new/"' in client.get("/organisation/life/").content.decode()
    assert client.get("/organisation/life/new/").status_code == 200
    response = client.post("/organisation/life/new/", _meeting(branch))
    assert response.status_code == 302
    assert LifeRecord.objects.get().recorded_by == secretary.full_name

    page = client.get(f"/organisation/tasks/{task.pk}/").content.decode()
    assert 'data-testid="note-form"' in page and 'data-testid="verify-form"' not in page
    base = f"/organisation/tasks/{task.pk}"
    assert (
        client.post(f"{base}/note/", {"noted_on": "2024-04-01", "text": "入户走访"}).status_code
        == 302
    )
    assert client.post(f"{base}/submit/").status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.AWAITING_VERIFICATION
    assert RectificationNote.objects.get().author == secretary.full_name
    # Verifying and closing stay with the township.
    verify = client.post(f"{base}/verify/", {"result": "passed", "verified_on": "2024-04-10"})
    assert verify.status_code == 403


def test_the_first_secretary_records_through_the_api(client, secretary):
    key = bearer(ApiTokenFactory(user=secretary).key)
    branch = make.branch()
    task = make.task(make.designation(branch, year=2024, on=D(2024, 3, 1)))
    meeting = {**_meeting(branch), "organisation_id": branch.pk}
    del meeting["organisation"]

    response = client.post(f"{API}/life", data=meeting, content_type=JSON, headers=key)
    assert response.status_code == 201, response.content
    base = f"{API}/tasks/{task.pk}"
    note = client.post(f"{base}/notes", data={"text": "x"}, content_type=JSON, headers=key)
    assert note.status_code == 201
    submitted = client.post(f"{base}/submit", data={}, content_type=JSON, headers=key)
    assert submitted.json()["status"] == TaskStatus.AWAITING_VERIFICATION


def test_a_first_secretary_of_another_village_gets_404_and_changes_nothing(client, other_secretary):
    session = _client(other_secretary)
    key = bearer(ApiTokenFactory(user=other_secretary).key)
    branch = make.branch()  # of 山川台, not the secretary's village
    task = make.task(make.designation(branch, year=2024, on=D(2024, 3, 1)))
    base = f"/organisation/tasks/{task.pk}"

    assert session.get(f"{base}/").status_code == 404
    assert session.post(f"{base}/note/", {"noted_on": "2024-04-01", "text": "x"}).status_code == 404
    assert session.post(f"{base}/submit/").status_code == 404
    meeting = {**_meeting(branch), "organisation_id": branch.pk}
    del meeting["organisation"]
    assert (
        client.post(f"{API}/life", data=meeting, content_type=JSON, headers=key).status_code == 404
    )
    notes = client.post(
        f"{API}/tasks/{task.pk}/notes", data={"text": "x"}, content_type=JSON, headers=key
    )
    assert notes.status_code == 404
    # The page's form does not offer the branch: refused as a choice, nothing recorded.
    assert session.post("/organisation/life/new/", _meeting(branch)).status_code == 200
    assert session.get(f"/organisation/grading/branches/{branch.pk}/").status_code == 404

    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert not RectificationNote.objects.exists() and not LifeRecord.objects.exists()
