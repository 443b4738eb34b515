"""The API list of those below the attendance rule: the page's service and defaults (the
last complete month; a period not over counted up to today, pro rata)."""

import datetime

import pytest
from django.utils import timezone

from tests.cadres.factories_teams import AttendanceMonthFactory, TeamMemberFactory, WorkTeamFactory
from tests.factories import ApiTokenFactory
from tests.helpers import bearer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/api/cadres/attendance/below"


@pytest.fixture
def today(monkeypatch):
    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args: day)

    return set_today


@pytest.fixture
def get(client, county_admin):
    key = bearer(ApiTokenFactory(user=county_admin).key)

    def call(query: str = ""):
        response = client.get(f"{URL}{query}", headers=key)
        assert response.status_code == 200, response.content
        return response.json()

    return call


def _names(listed: dict) -> list[str]:
    return [line["name"] for line in listed["lines"]]


def test_it_opens_on_the_last_complete_month_like_the_page(get, client_county_admin, today):
    today(datetime.date(2024, 4, 10))
    low = TeamMemberFactory(cadre__person__name="三月少")
    AttendanceMonthFactory(member=low, year=2024, month=3, days=12)
    enough = TeamMemberFactory(
        cadre__person__name="三月足", team=WorkTeamFactory(village_id="420222100002")
    )
    AttendanceMonthFactory(member=enough, year=2024, month=3, days=21)
    listed = get()
    assert (listed["year"], listed["month"], listed["running_until"]) == (2024, 3, None)
    [line] = listed["lines"]
    assert (line["name"], line["days"], line["required"], line["approved_leave_days"]) == (
        "三月少",
        12,
        20,
        0,
    )
    assert (line["village_code"], line["role"], line["in_post_days"]) == (
        "420222100001",
        "first_secretary",
        31,
    )
    page = client_county_admin.get("/cadres/teams/attendance/below/").content.decode()
    assert "三月少" in page and "三月足" not in page
    # January opens on the December before
    today(datetime.date(2025, 1, 5))
    assert (get()["year"], get()["month"]) == (2024, 12)


def test_the_current_month_is_counted_up_to_today(get, today):
    today(datetime.date(2024, 3, 16))
    member = TeamMemberFactory(cadre__person__name="本月人")
    # 16 of March's 31 days: 20 × 16 / 31 = 10.3 → 11 days so far, not 20
    record = AttendanceMonthFactory(member=member, year=2024, month=3, days=11)
    listed = get("?year=2024&month=3")
    assert listed["running_until"] == "2024-03-16" and listed["lines"] == []
    record.days = 10
    record.save()
    [line] = get("?year=2024&month=3")["lines"]
    assert (line["days"], line["required"]) == (10, 11)
    assert get("?month=3")["year"] == 2024  # a month alone: this year's


def test_the_year_so_far(get, today):
    today(datetime.date(2024, 6, 30))
    member = TeamMemberFactory(cadre__person__name="今年人")
    for month in range(1, 7):
        AttendanceMonthFactory(member=member, year=2024, month=month, days=18)
    # 182 of 366 days: 220 × 182 / 366 = 109.4 → 110 so far; 108 entered
    listed = get("?year=2024")
    assert (listed["month"], listed["running_until"]) == (None, "2024-06-30")
    [line] = listed["lines"]
    assert (line["days"], line["required"]) == (108, 110)
    assert _names(get("?year=2023")) == []  # not yet in post


def test_a_region_narrows_the_list_and_bad_periods_are_refused(get, client, county_admin, today):
    today(datetime.date(2024, 4, 10))
    TeamMemberFactory(cadre__person__name="兴国人")
    TeamMemberFactory(cadre__person__name="富池人", team=WorkTeamFactory(village_id="420222101001"))
    assert sorted(_names(get())) == ["兴国人", "富池人"]
    assert _names(get("?region=420222101")) == ["富池人"]
    key = bearer(ApiTokenFactory(user=county_admin).key)
    assert client.get(f"{URL}?month=13", headers=key).status_code == 422
    assert client.get(f"{URL}?year=1900", headers=key).status_code == 422
