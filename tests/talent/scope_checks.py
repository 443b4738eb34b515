"""Scope checks of the talent pages and API (see tests/test_every_endpoint_is_scoped.py):
every URL name and API operation of the app is listed here and tried by the
organisation department of 大冶市 against objects of 兴国镇."""

import datetime

from baolei.talent.choices import RequestStatus, Stage
from baolei.talent.models import Course, Enrolment, Expert, ServiceRequest, Studio, Talent
from tests.registry.factories import VILLAGE, id_number
from tests.scoping import lacks, xlsx_lacks
from tests.talent.factories import (
    CourseFactory,
    EnrolmentFactory,
    ExpertFactory,
    ServedVillageFactory,
    ServiceRequestFactory,
    StudioFactory,
    TalentFactory,
    TalentStepFactory,
)

NEW_ID = id_number(499, datetime.date(1990, 5, 5))


def things(insider) -> dict:
    talent = TalentFactory(person__name="兴国能人")
    TalentStepFactory(talent=talent)
    studio = StudioFactory(name="兴国镇名医工作室")
    ServedVillageFactory(studio=studio)
    expert = ExpertFactory(studio=studio)
    request = ServiceRequestFactory(studio=studio, status=RequestStatus.ACCEPTED)
    course = CourseFactory(code="XG-SCOPE-01", title="兴国镇电商班")
    enrolment = EnrolmentFactory(course=course, person__name="兴国学员")
    return {
        "talent": talent,
        "studio": studio,
        "expert": expert,
        "request": request,
        "course": course,
        "enrolment": enrolment,
    }


def _unchanged(things: dict, code: int = 404):
    """The answer, and nothing of the insider's changed or added."""

    def check(response):
        assert response.status_code == code, response.status_code
        talent = Talent.objects.get(pk=things["talent"].pk)
        assert talent.stage == Stage.IDENTIFIED and talent.steps.count() == 1
        assert talent.source == things["talent"].source
        request = ServiceRequest.objects.get(pk=things["request"].pk)
        assert request.status == RequestStatus.ACCEPTED
        assert not request.deliveries.exists() and not request.follow_ups.exists()
        assert Expert.objects.filter(studio=things["studio"]).count() == 1
        assert things["studio"].served.count() == 1
        enrolment = Enrolment.objects.get(pk=things["enrolment"].pk)
        assert enrolment.passed is None and enrolment.hours_attended is None
        assert Enrolment.objects.filter(course=things["course"]).count() == 1
        assert not Talent.objects.filter(person__id_number=NEW_ID).exists()
        assert Studio.objects.count() == 1 and Course.objects.count() == 1
        assert ServiceRequest.objects.count() == 1

    return check


def _overview_empty(response):
    assert response.status_code == 200, response.status_code
    context = response.context
    assert context["talent_total"] == 0 and context["studio_count"] == 0
    assert all(n == 0 for _label, n in context["statuses"])
    assert context["training"] is None


def page_checks(things: dict) -> list:
    talent, studio, item = things["talent"], things["studio"], things["request"]
    course, enrolment = things["course"], things["enrolment"]
    person = f"/talent/people/{talent.pk}/"
    studio_page = f"/talent/studios/{studio.pk}/"
    request_page = f"/talent/requests/{item.pk}/"
    course_page = f"/talent/courses/{course.pk}/"
    completion = f"/talent/enrolments/{enrolment.pk}/completion/"
    not_found = _unchanged(things)
    new_talent = {
        "name": "王新",
        "id_number": NEW_ID,
        "village_code": VILLAGE,
        "source": "veteran",
        "identified_on": "2024-01-01",
        "how_identified": "摸排",
    }
    new_studio = {
        "name": "新工作室",
        "kind": "master_teacher",
        "region_code": "420222100",
        "partner_name": "湖北师范大学",
        "partner_kind": "university",
        "villages": VILLAGE,
    }
    new_course = {
        "code": "NEW-01",
        "title": "新课",
        "subject": "e_commerce",
        "organiser": "x",
        "region_code": "420222100",
        "starts_on": "2024-01-01",
        "ends_on": "2024-01-02",
        "capacity": 5,
        "hours": 8,
    }
    enrol = {"name": "王新", "id_number": NEW_ID, "village_code": VILLAGE}
    return [
        ("talent:index", "get", "/talent/", _overview_empty),
        ("talent:talent_list", "get", "/talent/people/", lacks(person)),
        ("talent:talent_list", "get", "/talent/people/?q=兴国能人", lacks(person)),
        ("talent:talent_list", "get", "/talent/people/?region=420222100", lacks(person)),
        ("talent:talent_create", "post", "/talent/people/new/", _unchanged(things, 200)),
        ("talent:talent_create", "post", "/talent/people/new/?x", _posting(new_talent, things)),
        ("talent:talent_export", "get", "/talent/people/export/", xlsx_lacks("兴国能人")),
        (
            "talent:talent_export",
            "get",
            "/talent/people/export/?format=csv",
            lacks("兴国能人"),
        ),
        ("talent:talent_export", "get", "/talent/people/export/?region=420222100", not_found),
        ("talent:talent_detail", "get", person, not_found),
        ("talent:talent_edit", "get", f"{person}edit/", not_found),
        ("talent:talent_edit", "post", f"{person}edit/", not_found),
        ("talent:step_create", "post", f"{person}steps/new/", not_found),
        ("talent:talent_counts", "get", "/talent/counts/", lacks("兴国镇")),
        ("talent:talent_counts", "get", "/talent/counts/?region=420222100", not_found),
        ("talent:studio_list", "get", "/talent/studios/", lacks(studio_page)),
        ("talent:studio_create", "post", "/talent/studios/new/?x", _posting(new_studio, things)),
        ("talent:studio_detail", "get", studio_page, not_found),
        ("talent:studio_villages", "get", f"{studio_page}villages/", not_found),
        ("talent:studio_villages", "post", f"{studio_page}villages/", not_found),
        ("talent:expert_create", "get", f"{studio_page}experts/new/", not_found),
        ("talent:expert_create", "post", f"{studio_page}experts/new/", not_found),
        ("talent:request_list", "get", "/talent/requests/", lacks(request_page)),
        ("talent:request_list", "get", "/talent/requests/?status=accepted", lacks(request_page)),
        (
            "talent:request_create",
            "get",
            f"/talent/requests/new/?studio={studio.pk}",
            lacks(studio.name),
        ),
        (
            "talent:request_create",
            "post",
            "/talent/requests/new/?x",
            _posting({"studio": studio.pk, "village_code": VILLAGE, "need": "x"}, things),
        ),
        ("talent:request_detail", "get", request_page, not_found),
        ("talent:request_accept", "post", f"{request_page}accept/", not_found),
        ("talent:delivery_create", "post", f"{request_page}deliver/", not_found),
        ("talent:follow_up_create", "post", f"{request_page}follow-up/", not_found),
        ("talent:request_close", "post", f"{request_page}close/", not_found),
        ("talent:service_counts", "get", "/talent/services/", lacks(studio.name)),
        ("talent:service_counts", "get", "/talent/services/?region=420222100", not_found),
        ("talent:course_list", "get", "/talent/courses/", lacks(course_page)),
        ("talent:course_create", "post", "/talent/courses/new/?x", _posting(new_course, things)),
        ("talent:course_detail", "get", course_page, not_found),
        ("talent:enrol", "get", f"{course_page}enrol/", not_found),
        ("talent:enrol", "post", f"{course_page}enrol/?x", _posting(enrol, things, 404)),
        ("talent:completion", "get", completion, not_found),
        ("talent:completion", "post", completion, not_found),
        ("talent:enrolment_export", "get", "/talent/enrolments/export/", xlsx_lacks("兴国学员")),
        (
            "talent:enrolment_export",
            "get",
            f"/talent/enrolments/export/?course={course.pk}",
            not_found,
        ),
        ("talent:training_counts", "get", "/talent/training/counts/", lacks("兴国镇")),
        ("talent:training_counts", "get", "/talent/training/counts/?region=420222100", not_found),
    ]


def _posting(data: dict, things: dict, code: int = 200):
    """A page check that posts `data` itself (the test client posts nothing): the form
    comes back refused and nothing is written."""

    def check(response):
        from django.test import Client

        assert response.status_code in (200, 404)
        client = Client()
        client.force_login(response.wsgi_request.user)
        answer = client.post(response.wsgi_request.path, data)
        _unchanged(things, code)(answer)

    return check


def api_checks(things: dict) -> list:
    talent, item, course = things["talent"], things["request"], things["course"]
    studio, enrolment = things["studio"], things["enrolment"]
    not_found = _unchanged(things)
    new_talent = {
        "id_number": NEW_ID,
        "name": "王新",
        "village_code": VILLAGE,
        "source": "veteran",
        "identified_on": "2024-01-01",
        "how_identified": "摸排",
    }
    new_course = {
        "code": "NEW-01",
        "title": "新课",
        "subject": "e_commerce",
        "organiser": "x",
        "region_code": "420222100",
        "starts_on": "2024-01-01",
        "ends_on": "2024-01-02",
        "capacity": 5,
        "hours": 8,
    }
    base = "/api/talent"
    return [
        (f"{base}/people", "get", f"{base}/people?q=兴国能人", None, _empty_items),
        (f"{base}/people", "get", f"{base}/people?region=420222100", None, not_found),
        (f"{base}/people", "post", f"{base}/people", new_talent, _unchanged(things, 422)),
        (f"{base}/people/{{pk}}", "get", f"{base}/people/{talent.pk}", None, not_found),
        (
            f"{base}/people/{{pk}}/steps",
            "post",
            f"{base}/people/{talent.pk}/steps",
            {"stage": "used", "taken_on": "2024-05-01", "what": "x"},
            not_found,
        ),
        (f"{base}/studios", "get", f"{base}/studios", None, _empty_list),
        (f"{base}/studios/{{pk}}", "get", f"{base}/studios/{studio.pk}", None, not_found),
        (f"{base}/requests", "get", f"{base}/requests", None, _empty_list),
        (
            f"{base}/requests",
            "post",
            f"{base}/requests",
            {"studio_id": studio.pk, "village_code": VILLAGE, "need": "x"},
            not_found,
        ),
        (
            f"{base}/requests/{{pk}}/status",
            "post",
            f"{base}/requests/{item.pk}/status",
            {"status": "delivered", "work_done": "x"},
            not_found,
        ),
        (f"{base}/courses", "get", f"{base}/courses", None, _empty_list),
        (f"{base}/courses", "post", f"{base}/courses", new_course, _unchanged(things, 422)),
        (
            f"{base}/courses/{{pk}}/enrolments",
            "get",
            f"{base}/courses/{course.pk}/enrolments",
            None,
            not_found,
        ),
        (
            f"{base}/courses/{{pk}}/enrolments",
            "post",
            f"{base}/courses/{course.pk}/enrolments",
            {"id_number": NEW_ID, "name": "王新", "village_code": VILLAGE},
            not_found,
        ),
        (
            f"{base}/enrolments/{{pk}}/completion",
            "put",
            f"{base}/enrolments/{enrolment.pk}/completion",
            {"hours_attended": 10, "passed": True},
            not_found,
        ),
    ]


def _empty_items(response):
    assert response.status_code == 200, response.status_code
    assert response.json() == {"items": [], "count": 0}


def _empty_list(response):
    assert response.status_code == 200, response.status_code
    assert response.json() == []
