"""A person of another township is neither attached nor revealed by the talent app
(the talent pool and course enrolments: pages, API, import).

The insider (兴国镇) tries people of 富池镇 next door (see tests/registry/foreign.py):
refused saying only that the person is registered outside their area, no name or
household number in the answer, the person's record as it was."""

import datetime

import pytest

from baolei.imports.models import ImportJob
from baolei.talent.models import Enrolment, Talent
from baolei.talent.sheets.talent import TALENT_SHEET
from tests.registry.foreign import JSON, OUTSIDE, key, say_nothing_of, state
from tests.talent.factories import CourseFactory
from tests.talent.test_import import TALENT_HEADER, csv_file, load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VILLAGE = "420222100001"


def test_the_talent_page_refuses_a_person_of_another_township(client_insider, far, given_name):
    before = state(far)
    response = client_insider.post(
        "/talent/people/new/",
        {
            "name": given_name,
            "id_number": far.id_number,
            "village_code": VILLAGE,
            "source": "veteran",
            "identified_on": "2024-02-01",
            "how_identified": "村级摸排识别",
        },
    )
    assert response.status_code == 200
    say_nothing_of(response.content.decode())
    assert not Talent.objects.filter(person=far).exists()
    assert state(far) == before


def test_the_talent_api_refuses_a_person_of_another_township(insider, client, far, given_name):
    before = state(far)
    response = client.post(
        "/api/talent/people",
        {
            "id_number": far.id_number,
            "name": given_name,
            "village_code": VILLAGE,
            "source": "veteran",
            "identified_on": "2024-02-01",
            "how_identified": "村级摸排识别",
        },
        content_type=JSON,
        headers=key(insider),
    )
    assert response.status_code == 422
    say_nothing_of(response.content.decode())
    assert not Talent.objects.filter(person=far).exists()
    assert state(far) == before


def test_the_talent_import_refuses_a_person_of_another_township(insider, far, given_name):
    before = state(far)
    row = [given_name, far.id_number, VILLAGE, "退役军人", "种植", "2023年3月1日", "村级摸排识别"]
    outcome = load(insider, TALENT_SHEET, csv_file(TALENT_HEADER, [row]))
    assert outcome.status == ImportJob.Status.REJECTED
    assert outcome.shown == [(2, "身份证号", OUTSIDE)]
    assert not Talent.objects.filter(person=far).exists()
    assert state(far) == before


def test_an_enrolment_of_a_person_of_another_township_is_refused(
    client_insider, insider, client, far, given_name
):
    course = CourseFactory(ends_on=datetime.date.today() + datetime.timedelta(days=30))
    before = state(far)
    page = client_insider.post(
        f"/talent/courses/{course.pk}/enrol/",
        {"name": given_name, "id_number": far.id_number, "village_code": VILLAGE},
    )
    assert page.status_code == 200
    say_nothing_of(page.content.decode())
    answer = client.post(
        f"/api/talent/courses/{course.pk}/enrolments",
        {"id_number": far.id_number, "name": given_name, "village_code": VILLAGE},
        content_type=JSON,
        headers=key(insider),
    )
    assert answer.status_code == 422
    say_nothing_of(answer.content.decode())
    assert not Enrolment.objects.filter(person=far).exists()
    assert state(far) == before
