"""The talent pages as their users meet them: the insider reaches every page the outsider
is refused (so the scope checks prove the scope, not a broken URL), forms write through
the services and show their refusals, ID numbers are masked per role."""

import datetime

import pytest

from baolei import idnumbers
from baolei.accounts.permissions import Role
from baolei.talent.choices import RequestStatus, Stage
from baolei.talent.models import Enrolment, ServiceRequest, Talent
from tests.factories import UserFactory
from tests.registry.factories import NEIGHBOUR_VILLAGE, VILLAGE, id_number
from tests.talent import scope_checks
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

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_insider_reaches_every_page_the_outsider_may_not(client_insider, insider):
    things = scope_checks.things(insider)
    for name, method, path, _check in scope_checks.page_checks(things):
        if method != "get":
            continue
        response = client_insider.get(path)
        assert response.status_code == 200, (name, path, response.status_code)


def test_the_list_filters_and_masks(client_insider):
    talent = TalentFactory(person__name="陈志强", source="veteran", skills=",machinery,")
    TalentFactory(person__name="李芳", source="village_doctor", skills=",medicine,")
    page = client_insider.get("/talent/people/?source=veteran").content.decode()
    assert "陈志强" in page and "李芳" not in page
    assert idnumbers.mask(talent.person.id_number) in page  # a township officer: masked
    assert talent.person.id_number not in page
    page = client_insider.get("/talent/people/?skill=medicine").content.decode()
    assert "李芳" in page and "陈志强" not in page
    page = client_insider.get(f"/talent/people/?q={talent.person.id_number}").content.decode()
    assert "陈志强" in page and "李芳" not in page


def test_a_region_outside_the_scope_is_a_filter_error(client_insider):
    TalentFactory(person__name="陈志强")
    page = client_insider.get("/talent/people/?region=420222101").content.decode()
    assert "outside your scope" in page and "陈志强" not in page


def test_the_organisation_department_sees_the_whole_number(client_county_admin):
    talent = TalentFactory()
    page = client_county_admin.get(f"/talent/people/{talent.pk}/").content.decode()
    assert talent.person.id_number in page


def test_creating_a_talent_from_the_form(client_insider):
    number = id_number(321, datetime.date(1988, 8, 8))
    response = client_insider.post(
        "/talent/people/new/",
        {
            "name": "王军",
            "id_number": number,
            "village_code": VILLAGE,
            "source": "veteran",
            "skills": ["machinery", "management"],
            "identified_on": "2024-02-01",
            "how_identified": "退役军人登记",
        },
    )
    talent = Talent.objects.get(person__id_number=number)
    assert response.status_code == 302 and response.url == f"/talent/people/{talent.pk}/"
    assert talent.skill_codes == ["machinery", "management"]
    assert talent.steps.get().what == "退役军人登记"


def test_the_form_shows_a_refusal_on_its_field(client_insider):
    response = client_insider.post(
        "/talent/people/new/",
        {
            "name": "王军",
            "id_number": id_number(322),
            "village_code": NEIGHBOUR_VILLAGE,
            "source": "veteran",
            "identified_on": "2024-02-01",
            "how_identified": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["village_code"] == ["This region is outside your scope."]
    assert not Talent.objects.exists()


def test_adding_a_step_moves_the_stage(client_insider):
    talent = TalentFactory()
    TalentStepFactory(talent=talent, taken_on=datetime.date(2023, 1, 1))
    response = client_insider.post(
        f"/talent/people/{talent.pk}/steps/new/",
        {"stage": "used", "taken_on": "2023-06-01", "what": "任村后备干部"},
    )
    assert response.status_code == 302
    talent.refresh_from_db()
    assert talent.stage == Stage.USED
    page = client_insider.get(f"/talent/people/{talent.pk}/").content.decode()
    assert "任村后备干部" in page and "2023-06-01" in page


def test_a_step_before_the_identification_comes_back_on_the_form(client_insider):
    talent = TalentFactory()
    TalentStepFactory(talent=talent, taken_on=datetime.date(2023, 1, 1))
    response = client_insider.post(
        f"/talent/people/{talent.pk}/steps/new/",
        {"stage": "used", "taken_on": "2022-06-01", "what": "x"},
    )
    assert response.status_code == 200
    assert "before the identification on 2023-01-01" in response.content.decode()


def test_a_first_secretary_files_a_request_from_the_village(client):
    secretary = UserFactory(role=Role.FIRST_SECRETARY, scope=VILLAGE)
    client.force_login(secretary)
    studio = StudioFactory(region_code="420222")
    ServedVillageFactory(studio=studio)
    form = client.get(f"/talent/requests/new/?studio={studio.pk}")
    assert form.context["form"].initial["village_code"] == VILLAGE
    response = client.post(
        "/talent/requests/new/",
        {"studio": studio.pk, "village_code": VILLAGE, "need": "需要养殖技术指导"},
    )
    request = ServiceRequest.objects.get()
    assert response.status_code == 302 and request.status == RequestStatus.OPEN
    assert request.created_by == secretary.full_name


def test_a_leader_may_read_but_not_file_a_request(client):
    leader = UserFactory(role=Role.LEADER, scope="420222")
    client.force_login(leader)
    assert client.get("/talent/requests/").status_code == 200
    assert client.get("/talent/requests/new/").status_code == 403


def test_accept_deliver_follow_up_and_close_from_the_request_page(client_insider):
    expert = ExpertFactory()
    ServedVillageFactory(studio=expert.studio)
    item = ServiceRequestFactory(studio=expert.studio, requested_on=datetime.date(2024, 3, 1))
    base = f"/talent/requests/{item.pk}/"
    assert client_insider.post(f"{base}accept/").status_code == 302
    client_insider.post(
        f"{base}deliver/",
        {
            "delivered_on": "2024-03-05",
            "experts": [expert.pk],
            "work_done": "现场指导",
            "people_reached": 12,
        },
    )
    client_insider.post(
        f"{base}follow-up/",
        {"followed_on": "2024-03-20", "note": "效果好", "satisfaction": "satisfied"},
    )
    client_insider.post(f"{base}close/", {"note": ""})
    item.refresh_from_db()
    assert item.status == RequestStatus.CLOSED
    assert item.deliveries.get().people_reached == 12
    page = client_insider.get(base).content.decode()
    assert "现场指导" in page and "效果好" in page


def test_a_refused_action_says_why_on_the_request_page(client_insider):
    studio = StudioFactory()
    item = ServiceRequestFactory(studio=studio)
    response = client_insider.post(f"/talent/requests/{item.pk}/close/", {"note": ""}, follow=True)
    assert "Say why the request is closed" in response.content.decode()
    item.refresh_from_db()
    assert item.status == RequestStatus.OPEN


def test_enrol_and_record_completion(client_insider):
    course = CourseFactory(
        hours=40, starts_on=datetime.date(2024, 4, 1), ends_on=datetime.date(2024, 4, 10)
    )
    number = id_number(401, datetime.date(1990, 1, 1))
    response = client_insider.post(
        f"/talent/courses/{course.pk}/enrol/",
        {"name": "刘洋", "id_number": number, "village_code": VILLAGE, "enrolled_on": "2024-03-25"},
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(person__id_number=number)
    response = client_insider.post(
        f"/talent/enrolments/{enrolment.pk}/completion/",
        {
            "hours_attended": 38,
            "passed": "yes",
            "certificate_number": "GSNM-001",
            "certificate_issued_on": "2024-04-20",
        },
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.hours_attended, enrolment.passed, enrolment.certificate_number) == (
        38,
        True,
        "GSNM-001",
    )


def test_a_certificate_without_a_pass_is_refused(client_insider):
    enrolment = EnrolmentFactory()
    response = client_insider.post(
        f"/talent/enrolments/{enrolment.pk}/completion/",
        {
            "hours_attended": 10,
            "passed": "no",
            "certificate_number": "X-1",
            "certificate_issued_on": "2024-04-20",
        },
    )
    assert response.context["form"].errors["certificate_number"] == [
        "Only a person who passed receives a certificate."
    ]


def test_a_full_course_refuses_one_more(client_insider):
    course = CourseFactory(capacity=1)
    EnrolmentFactory(course=course)
    response = client_insider.post(
        f"/talent/courses/{course.pk}/enrol/",
        {
            "name": "刘洋",
            "id_number": id_number(402),
            "village_code": VILLAGE,
            "enrolled_on": "2024-03-30",
        },
    )
    assert "The course is full (1 places)." in response.content.decode()
    assert course.enrolments.count() == 1


def test_more_hours_than_the_course_has_are_refused(client_insider):
    enrolment = EnrolmentFactory(course=CourseFactory(hours=40))
    response = client_insider.post(
        f"/talent/enrolments/{enrolment.pk}/completion/", {"hours_attended": 41}
    )
    assert response.context["form"].errors["hours_attended"] == [
        "The hours attended must lie between 0 and the course's 40."
    ]


def test_the_overview_counts_the_scope(client_insider):
    TalentFactory(stage=Stage.USED)
    TalentFactory(region_code=NEIGHBOUR_VILLAGE)
    page = client_insider.get("/talent/")
    assert page.context["talent_total"] == 1
    assert dict(page.context["stages"])[Stage.USED.label] == 1
