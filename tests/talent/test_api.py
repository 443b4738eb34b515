"""The talent API: lists and records in scope, writes through the services (422 with the
field at fault), 403 without the permission, ID numbers masked per role."""

import datetime

import pytest

from baolei import idnumbers
from baolei.accounts.permissions import Role
from baolei.talent.choices import RequestStatus, Stage
from baolei.talent.models import ServiceRequest, Talent
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.registry.factories import VILLAGE, id_number
from tests.talent.factories import (
    CourseFactory,
    EnrolmentFactory,
    ExpertFactory,
    ServedVillageFactory,
    TalentFactory,
    TalentStepFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def key(insider):
    return bearer(ApiTokenFactory(user=insider).key)


def post(client, path, body, headers):
    return client.post(path, data=body, content_type="application/json", headers=headers)


def test_list_and_get_talent_masked_for_a_township_officer(client, key):
    talent = TalentFactory(source="veteran")
    TalentStepFactory(talent=talent)
    TalentFactory(region_code="420222101001")  # 富池镇: not in the list
    listed = client.get("/api/talent/people?source=veteran", headers=key).json()
    assert listed["count"] == 1
    assert listed["items"][0]["id_number"] == idnumbers.mask(talent.person.id_number)
    one = client.get(f"/api/talent/people/{talent.pk}", headers=key).json()
    assert [step["stage"] for step in one["steps"]] == ["identified"]


def test_the_organisation_department_gets_the_whole_number(client, county_admin):
    talent = TalentFactory()
    headers = bearer(ApiTokenFactory(user=county_admin).key)
    one = client.get(f"/api/talent/people/{talent.pk}", headers=headers).json()
    assert one["id_number"] == talent.person.id_number


def test_create_a_talent_and_add_a_step(client, key):
    body = {
        "id_number": id_number(250, datetime.date(1979, 9, 9)),
        "name": "黄磊",
        "village_code": VILLAGE,
        "source": "cooperative_head",
        "identified_on": "2023-02-01",
        "how_identified": "合作社推荐",
        "skills": ["agro_processing"],
    }
    created = post(client, "/api/talent/people", body, key)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    step = post(
        client,
        f"/api/talent/people/{pk}/steps",
        {"stage": "used", "taken_on": "2023-08-01", "what": "任合作社理事长"},
        key,
    )
    assert step.status_code == 201
    assert Talent.objects.get(pk=pk).stage == Stage.USED


def test_a_refused_step_answers_422_with_its_field(client, key):
    talent = TalentFactory()
    TalentStepFactory(talent=talent, taken_on=datetime.date(2023, 3, 1))
    refused = post(
        client,
        f"/api/talent/people/{talent.pk}/steps",
        {"stage": "cultivated", "taken_on": "2023-01-01", "what": "x"},
        key,
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "before_identification"
    assert refused.json()["field"] == "taken_on"


def test_a_leader_may_read_but_not_write(client):
    leader = UserFactory(role=Role.LEADER, scope="420222")
    headers = bearer(ApiTokenFactory(user=leader).key)
    assert client.get("/api/talent/people", headers=headers).status_code == 200
    body = {"stage": "used", "taken_on": "2023-08-01", "what": "x"}
    talent = TalentFactory()
    assert post(client, f"/api/talent/people/{talent.pk}/steps", body, headers).status_code == 403


def test_a_request_through_its_statuses(client, key):
    expert = ExpertFactory()
    ServedVillageFactory(studio=expert.studio)
    created = post(
        client,
        "/api/talent/requests",
        {"studio_id": expert.studio_id, "village_code": VILLAGE, "need": "需要果树修剪指导"},
        key,
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    path = f"/api/talent/requests/{pk}/status"
    today = datetime.date.today().isoformat()
    assert post(client, path, {"status": "accepted"}, key).json()["status"] == "accepted"
    delivered = post(
        client,
        path,
        {
            "status": "delivered",
            "work_done": "现场修剪示范",
            "people_reached": 30,
            "expert_ids": [expert.pk],
        },
        key,
    )
    assert delivered.json()["status"] == "delivered"
    closed = post(client, path, {"status": "closed", "on": today, "satisfaction": "satisfied"}, key)
    assert closed.json()["status"] == "closed"
    request = ServiceRequest.objects.get(pk=pk)
    assert request.deliveries.get().people_reached == 30
    assert request.follow_ups.get().satisfaction == "satisfied"
    again = post(client, path, {"status": "accepted"}, key)
    assert again.status_code == 422 and again.json()["code"] == "bad_transition"
    listed = client.get("/api/talent/requests?status=closed", headers=key).json()
    assert [item["id"] for item in listed] == [pk]
    assert request.status == RequestStatus.CLOSED


def test_studios_list_and_detail(client, key):
    expert = ExpertFactory()
    ServedVillageFactory(studio=expert.studio)
    assert [s["id"] for s in client.get("/api/talent/studios", headers=key).json()] == [
        expert.studio_id
    ]
    one = client.get(f"/api/talent/studios/{expert.studio_id}", headers=key).json()
    assert one["villages"] == [VILLAGE] and one["experts"][0]["name"] == expert.name


def test_courses_enrolments_and_completion(client, key):
    course = CourseFactory(hours=40)
    created = post(
        client,
        f"/api/talent/courses/{course.pk}/enrolments",
        {
            "id_number": id_number(260),
            "name": "刘洋",
            "village_code": VILLAGE,
            "enrolled_on": "2024-03-28",
        },
        key,
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    done = client.put(
        f"/api/talent/enrolments/{pk}/completion",
        data={
            "hours_attended": 40,
            "passed": True,
            "certificate_number": "C-9",
            "certificate_issued_on": "2024-04-20",
        },
        content_type="application/json",
        headers=key,
    )
    assert done.status_code == 200 and done.json()["certificate_number"] == "C-9"
    listed = client.get(f"/api/talent/courses/{course.pk}/enrolments", headers=key).json()
    assert [(e["name"], e["passed"]) for e in listed] == [("刘洋", True)]
    assert [c["code"] for c in client.get("/api/talent/courses?year=2024", headers=key).json()] == [
        course.code
    ]


def test_a_course_is_created_in_scope_only(client, key):
    body = {
        "code": "2024-XG-99",
        "title": "养殖技术班",
        "subject": "animal_husbandry",
        "organiser": "兴国镇农技站",
        "region_code": "420222100",
        "starts_on": "2024-05-01",
        "ends_on": "2024-05-05",
        "capacity": 30,
        "hours": 24,
    }
    assert post(client, "/api/talent/courses", body, key).status_code == 201
    refused = post(
        client, "/api/talent/courses", {**body, "code": "X", "region_code": "420222101"}, key
    )
    assert refused.status_code == 422 and refused.json()["field"] == "region_code"


def test_completion_rules_answer_422(client, key):
    enrolment = EnrolmentFactory()
    refused = client.put(
        f"/api/talent/enrolments/{enrolment.pk}/completion",
        data={"passed": False, "certificate_number": "C-1", "certificate_issued_on": "2024-04-20"},
        content_type="application/json",
        headers=key,
    )
    assert refused.status_code == 422 and refused.json()["code"] == "certificate_without_pass"
