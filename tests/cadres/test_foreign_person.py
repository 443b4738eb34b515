"""A person of another township is neither attached nor revealed by the cadres app
(cadre records and the village leader pool: pages, API, import).

The insider (兴国镇) tries people of 富池镇 next door (see tests/registry/foreign.py):
refused saying only that the person is registered outside their area, no name or
household number in the answer, the person's record as it was."""

import pytest

from baolei.cadres.models import Cadre, LeaderCandidate
from baolei.cadres.sheets.cadres import CADRE_SHEET
from baolei.cadres.sheets.leaders import LEADER_SHEET
from baolei.imports.models import ImportJob
from tests.cadres.test_attendance_import import _file, _load
from tests.cadres.test_import import cadre_row, csv_bytes, load
from tests.registry.foreign import JSON, OUTSIDE, WRONG_NAME, key, say_nothing_of, state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VILLAGE = "420222100001"
CADRE = {
    "region_code": "420222100",
    "unit": "兴国镇人民政府",
    "rank": "staff_member",
    "political_status": "party_member",
    "education": "college",
}
LEADER = {"region_code": VILLAGE, "source": "veteran", "education": "college"}


def test_the_cadre_page_and_api_refuse_a_person_of_another_township(
    client_insider, insider, client, far, given_name
):
    before = state(far)
    page = client_insider.post(
        "/cadres/new/", {"name": given_name, "id_number": far.id_number, **CADRE}
    )
    assert page.status_code == 200
    say_nothing_of(page.content.decode())
    answer = client.post(
        "/api/cadres/cadres",
        {"id_number": far.id_number, "name": given_name, **CADRE},
        content_type=JSON,
        headers=key(insider),
    )
    assert answer.status_code == 422
    say_nothing_of(answer.content.decode())
    assert not Cadre.objects.filter(person=far).exists()
    assert state(far) == before


def test_the_leader_page_and_api_refuse_a_person_of_another_township(
    client_insider, insider, client, far, given_name
):
    before = state(far)
    page = client_insider.post(
        "/cadres/leaders/new/",
        {"name": given_name, "id_number": far.id_number, "category": "reserve", **LEADER},
    )
    assert page.status_code == 200
    say_nothing_of(page.content.decode())
    answer = client.post(
        "/api/cadres/leaders",
        {"id_number": far.id_number, "name": given_name, **LEADER},
        content_type=JSON,
        headers=key(insider),
    )
    assert answer.status_code == 422
    say_nothing_of(answer.content.decode())
    assert not LeaderCandidate.objects.filter(person=far).exists()
    assert state(far) == before


def test_the_cadre_import_refuses_a_person_of_another_township(insider, far, given_name):
    before = state(far)
    row = cadre_row(1, 姓名=given_name, 身份证号=far.id_number)
    outcome = load(insider, CADRE_SHEET, csv_bytes(CADRE_SHEET.headers, [row]))
    assert outcome.status == ImportJob.Status.REJECTED
    assert outcome.shown == [(2, "身份证号", OUTSIDE)]
    assert not Cadre.objects.filter(person=far).exists()
    assert state(far) == before


def test_the_leader_import_refuses_a_person_of_another_township(insider, far, given_name):
    before = state(far)
    row = {"姓名": given_name, "身份证号": far.id_number, "村": VILLAGE, "来源": "退役军人"}
    row["学历"] = "高中"
    outcome = load(insider, LEADER_SHEET, csv_bytes(LEADER_SHEET.headers, [row]))
    assert outcome.status == ImportJob.Status.REJECTED
    assert outcome.shown == [(2, "身份证号", OUTSIDE)]
    assert not LeaderCandidate.objects.filter(person=far).exists()
    assert state(far) == before


def test_the_attendance_import_does_not_name_a_person_of_another_township(insider, far):
    row = [VILLAGE, WRONG_NAME, far.id_number, 2024, 3, 20, ""]
    outcome = _load(insider, _file([row]))
    assert outcome.status == ImportJob.Status.REJECTED
    assert (2, "身份证号", OUTSIDE) in outcome.shown
    assert not [reason for *_cell, reason in outcome.shown if far.name in reason]


def test_a_pool_of_another_township_is_not_named(insider):
    """A county cadre (registered above the townships) in the pool of a village of 富池镇:
    refused without naming that village, as the import says it."""
    from baolei.cadres.services import leaders
    from baolei.cadres.services.cadres import CadreError
    from tests.cadres.factories import LeaderCandidateFactory

    pooled = LeaderCandidateFactory(region_code="420222101001", person__region_code="420222")
    with pytest.raises(CadreError) as caught:
        leaders.do_add_candidate(
            insider,
            id_number=pooled.person.id_number,
            name=pooled.person.name,
            region_code=VILLAGE,
            source="veteran",
            education="college",
        )
    assert str(caught.value.message) == "This person is in a pool outside your scope."
