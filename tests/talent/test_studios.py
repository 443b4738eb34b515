"""Studios and the villages' service requests: open → accepted → delivered → closed,
deliveries and follow-ups, who sees what, and the lists (open by age, per studio and
village)."""

import datetime

import pytest

from baolei.accounts.scope import Scope
from baolei.talent.choices import RequestStatus
from baolei.talent.models import ServiceRequest
from baolei.talent.services import studios
from baolei.talent.services.talent import TalentError
from tests.registry.factories import NEIGHBOUR_VILLAGE, VILLAGE
from tests.talent.factories import ExpertFactory, ServedVillageFactory, StudioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


@pytest.fixture
def studio(county_admin):
    studio = studios.do_create_studio(
        county_admin,
        name="阳新县农业专家工作室",
        kind="agricultural_expert",
        region_code="420222",
        partner_name="华中农业大学",
        partner_kind="university",
        villages=[VILLAGE, NEIGHBOUR_VILLAGE],
    )
    studios.do_add_expert(county_admin, studio, name="周建华", title="教授", speciality="水稻")
    return studio


def ask(user, studio, **overrides):
    fields = {"village_code": VILLAGE, "need": "水稻病虫害防治", "requested_on": D(2024, 3, 1)}
    return studios.do_create_request(user, studio=studio, **{**fields, **overrides})


def test_a_request_goes_through_its_life_cycle(studio, insider):
    request = ask(insider, studio)
    assert (request.status, request.status_since) == (RequestStatus.OPEN, D(2024, 3, 1))
    request = studios.do_accept_request(insider, request, D(2024, 3, 3))
    assert (request.status, request.status_since) == (RequestStatus.ACCEPTED, D(2024, 3, 3))
    expert = studio.experts.get()
    delivery = studios.do_record_delivery(
        insider,
        request,
        delivered_on=D(2024, 3, 10),
        work_done="田间指导",
        people_reached=25,
        experts=[expert.pk],
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.DELIVERED
    assert list(delivery.experts.all()) == [expert]
    studios.do_add_follow_up(
        insider, request, followed_on=D(2024, 3, 25), note="病虫害已控制", satisfaction="satisfied"
    )
    request = studios.do_close_request(insider, request, on=D(2024, 3, 25))
    assert (request.status, request.status_since) == (RequestStatus.CLOSED, D(2024, 3, 25))
    assert request.follow_ups.get().satisfaction == "satisfied"


def test_nothing_is_delivered_before_it_is_accepted(studio, insider):
    request = ask(insider, studio)
    with pytest.raises(TalentError) as refused:
        studios.do_record_delivery(insider, request, delivered_on=D(2024, 3, 5), work_done="x")
    assert refused.value.code == "bad_transition"
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN and not request.deliveries.exists()


def test_a_closed_request_stays_closed(studio, insider):
    request = ask(insider, studio)
    studios.do_close_request(insider, request, on=D(2024, 3, 2), note="村里已自行解决")
    with pytest.raises(TalentError) as refused:
        studios.do_accept_request(insider, request, D(2024, 3, 3))
    assert refused.value.code == "bad_transition"


def test_closing_without_a_service_needs_a_reason(studio, insider):
    request = ask(insider, studio)
    with pytest.raises(TalentError) as refused:
        studios.do_close_request(insider, request, on=D(2024, 3, 2))
    assert refused.value.code == "reason_required" and refused.value.field == "note"


def test_a_follow_up_needs_a_service_delivered(studio, insider):
    request = studios.do_accept_request(insider, ask(insider, studio), D(2024, 3, 2))
    with pytest.raises(TalentError) as refused:
        studios.do_add_follow_up(insider, request, followed_on=D(2024, 3, 5), note="x")
    assert refused.value.code == "nothing_delivered"


def test_a_delivery_cannot_predate_the_request(studio, insider):
    request = studios.do_accept_request(insider, ask(insider, studio), D(2024, 3, 2))
    with pytest.raises(TalentError) as refused:
        studios.do_record_delivery(insider, request, delivered_on=D(2024, 2, 1), work_done="x")
    assert refused.value.code == "too_early"


def test_experts_of_another_studio_are_refused(studio, insider):
    request = studios.do_accept_request(insider, ask(insider, studio), D(2024, 3, 2))
    stranger = ExpertFactory()
    with pytest.raises(TalentError) as refused:
        studios.do_record_delivery(
            insider, request, delivered_on=D(2024, 3, 5), work_done="x", experts=[stranger.pk]
        )
    assert refused.value.field == "experts"


def test_a_village_asks_only_a_studio_that_serves_it(insider):
    studio = StudioFactory()
    with pytest.raises(TalentError) as refused:
        ask(insider, studio)
    assert refused.value.code == "not_served"


def test_a_village_outside_the_scope_cannot_ask(studio, insider):
    with pytest.raises(TalentError) as refused:
        ask(insider, studio, village_code=NEIGHBOUR_VILLAGE)
    assert refused.value.code == "out_of_scope"


def test_a_studio_serves_villages_below_its_host_only(insider):
    with pytest.raises(TalentError) as refused:
        studios.do_create_studio(
            insider,
            name="兴国镇名师工作室",
            kind="master_teacher",
            region_code="420222100",
            partner_name="阳新县第一中学",
            partner_kind="school",
            villages=[VILLAGE, NEIGHBOUR_VILLAGE],
        )
    assert refused.value.field == "villages"


def test_a_county_studio_is_seen_by_its_townships_but_not_edited(studio, insider, neighbour):
    assert studio in studios.visible_studios(Scope.for_user(insider))
    assert not studios.may_manage(Scope.for_user(insider), studio)
    with pytest.raises(TalentError):
        studios.do_add_expert(insider, studio, name="王敏")


def test_each_village_sees_its_own_requests_and_the_host_sees_all(
    studio, insider, neighbour, county_admin
):
    mine = ask(insider, studio)
    theirs = ask(neighbour, studio, village_code=NEIGHBOUR_VILLAGE)
    assert list(studios.visible_requests(Scope.for_user(insider))) == [mine]
    assert list(studios.visible_requests(Scope.for_user(neighbour))) == [theirs]
    assert set(studios.visible_requests(Scope.for_user(county_admin))) == {mine, theirs}


def test_open_requests_by_age_oldest_first(studio, insider):
    old = ask(insider, studio, requested_on=D(2024, 1, 1))
    new = ask(insider, studio, requested_on=D(2024, 3, 1))
    accepted = studios.do_accept_request(
        insider, ask(insider, studio, requested_on=D(2024, 2, 1)), D(2024, 2, 2)
    )
    closed = ask(insider, studio, requested_on=D(2023, 1, 1))
    studios.do_close_request(insider, closed, on=D(2023, 1, 2), note="撤回")
    found = studios.open_by_age(ServiceRequest.objects.all(), D(2024, 3, 11))
    assert [(r.pk, r.age_days) for r in found] == [(old.pk, 70), (accepted.pk, 39), (new.pk, 10)]


def test_services_per_studio_and_village(studio, insider, neighbour):
    first = studios.do_accept_request(insider, ask(insider, studio), D(2024, 3, 2))
    studios.do_record_delivery(
        insider, first, delivered_on=D(2024, 3, 5), work_done="a", people_reached=20
    )
    studios.do_record_delivery(
        insider, first, delivered_on=D(2024, 3, 9), work_done="b", people_reached=15
    )
    ask(insider, studio)
    ask(neighbour, studio, village_code=NEIGHBOUR_VILLAGE)
    other = StudioFactory(name="兴国镇名医工作室")
    ServedVillageFactory(studio=other)
    ask(insider, other)
    rows = studios.service_counts(ServiceRequest.objects.all())
    found = {
        (r.studio_name, r.village_code): (r.requests, r.deliveries, r.people_reached) for r in rows
    }
    assert found == {
        ("阳新县农业专家工作室", VILLAGE): (2, 2, 35),
        ("阳新县农业专家工作室", NEIGHBOUR_VILLAGE): (1, 0, 0),
        ("兴国镇名医工作室", VILLAGE): (1, 0, 0),
    }
