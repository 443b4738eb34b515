"""The register's pages: list, filters and search, keyset pages, masking per role, the
household page, the edit forms, visits and pairing, and scope and permissions for every
page (the neighbour township and the next county reach nothing of the insider's)."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from baolei import idnumbers
from baolei.accounts.permissions import Role
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import Household, HouseholdYear, Member, Pairing, StatusChange, Visit
from tests.factories import UserFactory
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    HelperFactory,
    HouseholdFactory,
    HouseholdYearFactory,
    MemberFactory,
    MonitoringCaseFactory,
    PairingFactory,
    VisitFactory,
    id_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TOWNSHIP = "420222100"


def _client(role: str, scope: str = TOWNSHIP) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role, scope=scope))
    return client


@pytest.fixture
def home():
    """The insider's household: a head with a serious illness, a year, a visit, a case,
    a helper and a status history."""
    household = HouseholdFactory(number="420222100001000777")
    head = MemberFactory(
        household=household,
        person__name="黄大伯",
        health=choices.Health.SERIOUS,
    )
    household.head = head.person
    household.save()
    HouseholdYearFactory(household=household, year=2023)
    VisitFactory(household=household, findings="屋顶漏雨", visited_on=datetime.date(2024, 5, 1))
    MonitoringCaseFactory(household=household)
    helper = HelperFactory(person__name="帮扶人甲", region_code=TOWNSHIP)
    PairingFactory(helper=helper, household=household)
    StatusChange.objects.create(
        household=household,
        to_status=choices.PovertyStatus.LIFTED_WITH_POLICY,
        changed_on=datetime.date(2019, 12, 1),
        decided_by="县扶贫办",
    )
    return household


def _for(client, path):
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en")


# --- the list -----------------------------------------------------------------------------


def test_list_shows_households_with_masked_id_numbers(client_insider, home):
    page = client_insider.get("/registry/households/").content.decode()
    assert f"/registry/households/{home.pk}/" in page
    assert "黄大伯" in page
    assert idnumbers.mask(home.head.id_number) in page
    assert home.head.id_number not in page


def test_list_shows_full_id_numbers_to_the_bureau(home):
    bureau = _client(Role.REVITALISATION_BUREAU)
    page = bureau.get("/registry/households/").content.decode()
    assert home.head.id_number in page


def test_list_filters(client_insider, home):
    other = HouseholdFactory(
        number="420222100001000888",
        status=choices.PovertyStatus.NOT_LIFTED,
        monitoring_type=choices.MonitoringType.MARGINAL,
        main_cause=choices.PovertyCause.DISASTER,
        attribute=choices.HouseholdAttribute.DESTITUTE,
        registered_poor=False,
    )

    def listed(**params):
        page = client_insider.get("/registry/households/", params).content.decode()
        return {h.number for h in (home, other) if f"/registry/households/{h.pk}/" in page}

    assert listed() == {home.number, other.number}
    assert listed(status="not_lifted") == {other.number}
    assert listed(monitoring_type="marginal") == {other.number}
    assert listed(monitored="no") == {home.number}
    assert listed(main_cause="illness") == {home.number}
    assert listed(attribute="destitute") == {other.number}
    assert listed(registered="yes") == {home.number}
    assert listed(not_visited=30) == {home.number, other.number}
    VisitFactory(household=other, visited_on=timezone.localdate())
    assert listed(not_visited=30) == {home.number}
    assert listed(region="420222100001") == {home.number, other.number}
    assert listed(region="420222100002") == set()


def test_list_search_by_name_number_and_id_number(client_insider, home):
    def listed(text):
        page = client_insider.get("/registry/households/", {"q": text}).content.decode()
        return f"/registry/households/{home.pk}/" in page

    assert listed("黄大")
    assert listed("420222100001000777")
    assert listed(home.head.id_number.lower())
    assert not listed("王")


def test_a_region_outside_the_scope_shows_nothing(client_insider, home):
    response = client_insider.get("/registry/households/", {"region": "420222101"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This region is outside your scope." in page
    assert f"/registry/households/{home.pk}/" not in page


def test_list_pages_with_cursors(client_insider):
    for n in range(55):
        HouseholdFactory(number=f"P{n:03d}")
    first = client_insider.get("/registry/households/").content.decode()
    assert first.count('href="/registry/households/') >= 50
    assert 'rel="prev"' not in first
    link = re.search(r'rel="next" href="\?([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client_insider.get("/registry/households/?" + link).content.decode()
    numbers = re.findall(r">(P\d{3})</a>", first + second)
    assert sorted(numbers) == [f"P{n:03d}" for n in range(55)]
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_drill_down_stays_in_the_scope(client_insider):
    page = client_insider.get("/registry/households/").content.decode()
    assert "region=420222100001" in page  # a village of 兴国镇
    assert "region=420222101" not in page
    assert "region=420222&" not in page


# --- the household page -------------------------------------------------------------------


def test_household_page_shows_everything_with_masking(client_insider, home):
    page = client_insider.get(f"/registry/households/{home.pk}/").content.decode()
    for text in ("黄大伯", "屋顶漏雨", "帮扶人甲", "县扶贫办", "Unstable lifted-out household"):
        assert text in page
    assert "2023" in page and "5333.33" in page  # per-capita net income of the year
    assert idnumbers.mask(home.head.id_number) in page
    assert home.head.id_number not in page
    assert "Serious illness" not in page  # health is personal data


def test_household_page_unmasked_for_the_bureau(home):
    page = _client(Role.REVITALISATION_BUREAU).get(f"/registry/households/{home.pk}/")
    text = page.content.decode()
    assert home.head.id_number in text
    assert "Serious illness" in text


# --- scope and permissions ----------------------------------------------------------------


def _page_checks(home):
    member = home.members.get()
    pairing = home.pairings.get()
    h = home.pk
    return [
        ("get", f"/registry/households/{h}/", {}),
        ("get", f"/registry/households/{h}/edit/", {}),
        ("post", f"/registry/households/{h}/edit/", {"version": 1, "number": "X"}),
        ("get", f"/registry/households/{h}/members/new/", {}),
        ("post", f"/registry/households/{h}/members/new/", {"name": "x"}),
        ("get", f"/registry/members/{member.pk}/edit/", {}),
        ("post", f"/registry/members/{member.pk}/edit/", {"name": "x"}),
        ("post", f"/registry/members/{member.pk}/remove/", {}),
        ("get", f"/registry/households/{h}/years/2023/", {}),
        ("post", f"/registry/households/{h}/years/2023/", {"wages": "1"}),
        ("get", f"/registry/households/{h}/visits/new/", {}),
        ("post", f"/registry/households/{h}/visits/new/", {"findings": "x"}),
        ("get", f"/registry/households/{h}/pairing/new/", {}),
        ("post", f"/registry/households/{h}/pairing/new/", {}),
        ("post", f"/registry/pairings/{pairing.pk}/end/", {}),
    ]


@pytest.mark.parametrize("who", ["neighbour", "outsider"])
def test_others_reach_no_page_of_the_household(request, who, home):
    client = request.getfixturevalue(f"client_{who}")
    for method, path, data in _page_checks(home):
        response = getattr(client, method)(path, data)
        # The neighbour may edit, so only the scope stops it (404); the outsider's role
        # cannot edit the registry at all (403) and it cannot see the household (404).
        assert response.status_code in (403, 404), (method, path, response.status_code)
        if who == "neighbour" or (method == "get" and path.endswith(f"/{home.pk}/")):
            assert response.status_code == 404, (method, path)
    home.refresh_from_db()
    assert home.number == "420222100001000777"
    assert home.members.count() == 1
    assert Pairing.objects.get(household=home).ended_on is None
    assert Visit.objects.filter(household=home).count() == 1


@pytest.mark.parametrize("who", ["neighbour", "outsider"])
def test_others_lists_lack_the_insiders_things(request, who, home):
    client = request.getfixturevalue(f"client_{who}")
    for path in (
        "/registry/households/",
        f"/registry/households/?q={home.number}",
        "/registry/households/?q=黄大",
        f"/registry/households/?region={TOWNSHIP}",
        "/registry/visits/overdue/?days=1",
        "/registry/helpers/",
    ):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 200, path
        assert f"/registry/households/{home.pk}/" not in page, path
        assert "黄大伯" not in page and "帮扶人甲" not in page, path


def test_neighbour_cannot_create_in_the_insiders_village(client_neighbour):
    response = client_neighbour.post(
        "/registry/households/new/",
        {"number": "N-1", "village": "420222100001", "head_name": "x", "head_id_number": "1"},
    )
    assert response.status_code == 200
    assert "This village is outside your scope." in response.content.decode()
    assert not Household.objects.filter(number="N-1").exists()


def test_neighbour_cannot_create_a_helper_in_the_insiders_township(client_neighbour):
    response = client_neighbour.post(
        "/registry/helpers/new/",
        {
            "name": "甲",
            "id_number": id_number(1, datetime.date(1975, 1, 1)),
            "unit": "u",
            "region_code": TOWNSHIP,
        },
    )
    assert "This region is outside your scope." in response.content.decode()


@pytest.mark.parametrize(
    ("role", "editing", "visiting"),
    [
        (Role.LEADER, 403, 403),
        (Role.FIRST_SECRETARY, 403, 200),
        (Role.VILLAGE_BRANCH, 403, 200),
        (Role.ORGANISATION_DEPARTMENT, 403, 403),
        (Role.REVITALISATION_BUREAU, 200, 200),
    ],
)
def test_permissions_per_role(role, editing, visiting, home):
    client = _client(role)
    assert client.get(f"/registry/households/{home.pk}/").status_code == 200
    for path in (
        "/registry/households/new/",
        f"/registry/households/{home.pk}/edit/",
        f"/registry/households/{home.pk}/members/new/",
        f"/registry/households/{home.pk}/years/2023/",
        f"/registry/households/{home.pk}/pairing/new/",
        "/registry/helpers/new/",
    ):
        assert client.get(path).status_code == editing, path
    assert client.get(f"/registry/households/{home.pk}/visits/new/").status_code == visiting
    assert client.get("/registry/visits/overdue/").status_code == 200
    assert client.get("/registry/helpers/").status_code == 200


def test_edit_buttons_follow_the_permissions(home):
    leader_page = _client(Role.LEADER).get(f"/registry/households/{home.pk}/").content.decode()
    assert f"/registry/households/{home.pk}/edit/" not in leader_page
    assert f"/registry/households/{home.pk}/visits/new/" not in leader_page
    secretary = _client(Role.FIRST_SECRETARY).get(f"/registry/households/{home.pk}/")
    assert f"/registry/households/{home.pk}/visits/new/" in secretary.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(home):
    response = Client().get("/registry/households/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- creating and editing -----------------------------------------------------------------

HEAD_NUMBER = id_number(7, datetime.date(1970, 3, 8))


def test_create_a_household_through_the_page(client_insider, insider):
    response = client_insider.post(
        "/registry/households/new/",
        {
            "number": "420222100001000999",
            "village": "420222100001",
            "registered_poor": "on",
            "identification_standard": "national",
            "status": "not_lifted",
            "status_since": "2020-01-01",
            "main_cause": "illness",
            "head_name": "刘备",
            "head_id_number": HEAD_NUMBER.lower(),
            "head_labour_capacity": "ordinary",
        },
    )
    household = Household.objects.get(number="420222100001000999")
    assert response.status_code == 302
    assert response["Location"] == f"/registry/households/{household.pk}/"
    assert household.head.name == "刘备" and household.head.id_number == HEAD_NUMBER
    assert household.status_changes.get().decided_by == insider.full_name


def test_create_shows_the_id_error_on_the_head_field(client_insider):
    response = client_insider.post(
        "/registry/households/new/",
        {
            "number": "X-1",
            "village": "420222100001",
            "identification_standard": "national",
            "head_name": "刘备",
            "head_id_number": HEAD_NUMBER[:-1] + ("1" if HEAD_NUMBER[-1] != "1" else "2"),
            "head_labour_capacity": "ordinary",
        },
    )
    page = response.content.decode()
    assert "check character should be" in page
    assert not Household.objects.filter(number="X-1").exists()


def test_edit_a_household_through_the_page(client_insider, home):
    form = client_insider.get(f"/registry/households/{home.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in form
    assert 'name="status"' not in form
    data = _edit_data(home, address="新地址")
    response = client_insider.post(f"/registry/households/{home.pk}/edit/", data)
    assert response.status_code == 302
    home.refresh_from_db()
    assert home.address == "新地址" and home.version == 2


def test_the_edit_form_cannot_change_what_only_procedures_change(client_insider, home):
    """建档立卡户 and the monitoring type change through identification, exit and
    monitoring procedures: the form neither shows them nor takes them."""
    form = client_insider.get(f"/registry/households/{home.pk}/edit/").content.decode()
    assert 'name="registered_poor"' not in form and 'name="monitoring_type"' not in form
    data = _edit_data(home, address="新地址", monitoring_type="marginal")  # unticked too
    response = client_insider.post(f"/registry/households/{home.pk}/edit/", data)
    assert response.status_code == 302
    home.refresh_from_db()
    assert home.address == "新地址"
    assert home.registered_poor and home.monitoring_type == ""
    assert home.status == choices.PovertyStatus.LIFTED_WITH_POLICY


@pytest.mark.parametrize(("status", "registered"), [("not_lifted", True), ("", False)])
def test_a_new_household_is_registered_poor_exactly_when_given_a_status(
    client_insider, status, registered
):
    form = client_insider.get("/registry/households/new/").content.decode()
    assert 'name="registered_poor"' not in form and 'name="monitoring_type"' not in form
    response = client_insider.post(
        "/registry/households/new/",
        {
            "number": "420222100001000998",
            "village": "420222100001",
            "registered_poor": "on",
            "monitoring_type": "marginal",
            "identification_standard": "national",
            "status": status,
            "status_since": "2020-01-01" if status else "",
            "head_name": "关羽",
            "head_id_number": id_number(9, datetime.date(1971, 4, 4)),
            "head_labour_capacity": "ordinary",
        },
    )
    assert response.status_code == 302
    household = Household.objects.get(number="420222100001000998")
    assert household.registered_poor is registered and household.monitoring_type == ""
    assert household.status_changes.count() == (1 if status else 0)


def _edit_data(household, **changes):
    data = {
        "version": household.version,
        "number": household.number,
        "village": household.village_id,
        "address": household.address,
        "attribute": household.attribute,
        "identification_year": household.identification_year or "",
        "identification_standard": household.identification_standard,
        "main_cause": household.main_cause,
        "second_cause": household.second_cause,
        "third_cause": household.third_cause,
        "housing_area": household.housing_area or "",
        "housing_structure": household.housing_structure,
        "housing_safety": household.housing_safety,
    }
    data.update(changes)
    return data


def test_add_a_member_through_the_page(client_insider, home):
    number = id_number(8, datetime.date(2010, 9, 1), male=False)
    response = client_insider.post(
        f"/registry/households/{home.pk}/members/new/",
        {
            "name": "黄小妹",
            "id_number": number,
            "relation": "daughter",
            "labour_capacity": "none",
            "school_status": "junior",
            "employment": "none",
            "medical_insurance": "on",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(person__id_number=number)
    assert member.household == home and member.person.sex == "female"


def test_add_member_refuses_a_person_of_another_household(client_insider, home):
    elsewhere = MemberFactory(household=HouseholdFactory(number="420222100001000555"))
    response = client_insider.post(
        f"/registry/households/{home.pk}/members/new/",
        {
            "name": elsewhere.person.name,
            "id_number": elsewhere.person.id_number,
            "relation": "son",
            "labour_capacity": "ordinary",
            "school_status": "not_in_school",
            "employment": "none",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "already a member of household 420222100001000555" in page
    assert home.members.count() == 1


def test_add_member_refuses_a_sex_that_disagrees(client_insider, home):
    number = id_number(9, datetime.date(2001, 1, 1), male=True)
    response = client_insider.post(
        f"/registry/households/{home.pk}/members/new/",
        {
            "name": "黄二",
            "id_number": number,
            "sex": "female",
            "relation": "son",
            "labour_capacity": "ordinary",
            "school_status": "not_in_school",
            "employment": "none",
        },
    )
    assert "Sex: the ID number" in response.content.decode()
    assert not Member.objects.filter(person__id_number=number).exists()


def test_member_edit_form_hides_the_id_number_without_permission(client_insider, home):
    member = home.members.get()
    page = client_insider.get(f"/registry/members/{member.pk}/edit/").content.decode()
    assert member.person.id_number not in page
    assert idnumbers.mask(member.person.id_number) in page
    assert 'name="health"' not in page
    response = client_insider.post(
        f"/registry/members/{member.pk}/edit/",
        {
            "name": "黄大伯",
            "id_number": "",
            "relation": "head",
            "labour_capacity": "lost",
            "school_status": "not_in_school",
            "employment": "none",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.labour_capacity == "lost"
    assert member.health == choices.Health.SERIOUS  # untouched: not in the form


def test_remove_a_member(client_insider, home):
    member = MemberFactory(household=home, relation=choices.Relation.SON)
    response = client_insider.post(f"/registry/members/{member.pk}/remove/")
    assert response.status_code == 302
    assert not Member.objects.filter(pk=member.pk).exists()


def test_year_form_computes_per_capita_income(client_insider, home):
    response = client_insider.post(
        f"/registry/households/{home.pk}/years/2022/",
        {
            "wages": "9000",
            "production_business": "1000",
            "property_income": "0",
            "transfers": "500",
            "production_costs": "500",
            "member_count": "2",
            "food": "true",
            "drinking_water": "false",
            "drinking_water_note": "井水不达标",
        },
    )
    assert response.status_code == 302
    record = HouseholdYear.objects.get(household=home, year=2022)
    assert record.per_capita_net_income == Decimal("5000.00")
    assert record.food is True and record.drinking_water is False and record.clothing is None
    assert record.assurance_notes == {"drinking_water": "井水不达标"}


def test_household_page_offers_every_year_without_an_entry_since_identification(
    client_insider, home
):
    """Identified in 2014, income recorded for 2023: every other year from 2014 to this
    one may be recorded, the latest first; 2023 is edited from its row."""
    HouseholdYearFactory(household=home, year=2016)
    this_year = timezone.localdate().year
    page = client_insider.get(f"/registry/households/{home.pk}/").content.decode()
    offered = page[page.index('data-testid="new-years"') :]
    offered = offered[: offered.index("</div>")]
    years = [int(y) for y in re.findall(rf"/registry/households/{home.pk}/years/(\d+)/", offered)]
    assert years == [y for y in range(this_year, 2013, -1) if y not in (2016, 2023)]
    assert f"Record {this_year}" in offered and "Record 2014" in offered
    # Without an identification year: from the earliest entry.
    Household.objects.filter(pk=home.pk).update(identification_year=None)
    page = client_insider.get(f"/registry/households/{home.pk}/").content.decode()
    assert "/years/2017/" in page and "/years/2015/" not in page


def test_year_form_for_a_new_year_counts_the_members(client_insider, home):
    page = client_insider.get(f"/registry/households/{home.pk}/years/2021/").content.decode()
    assert 'name="member_count" value="1"' in page
    assert client_insider.get(f"/registry/households/{home.pk}/years/1999/").status_code == 404


def test_visit_form_defaults_to_today_and_the_user_s_own_helper_record(home):
    helper = home.pairings.get().helper  # 帮扶人甲
    user = UserFactory(role=Role.FIRST_SECRETARY, scope=TOWNSHIP, full_name="帮扶人甲")
    client = Client()
    client.force_login(user)
    page = client.get(f"/registry/households/{home.pk}/visits/new/").content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page
    assert f'<option value="{helper.pk}" selected>' in page
    assert 'min="2021-01-01"' in page  # paired since then
    response = client.post(
        f"/registry/households/{home.pk}/visits/new/",
        {
            "visited_on": timezone.localdate().isoformat(),
            "findings": "一切正常",
            "helper": helper.pk,
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get(household=home, findings="一切正常")
    assert visit.helper == helper and visit.recorded_by == user


def test_visit_form_offers_only_the_household_s_current_helpers(home):
    """The audit's phone showed 3,671 helpers: every helper of the scope and above. Only
    the household's own helper is offered, and preselected only for that helper."""
    helper = home.pairings.get().helper
    others = [HelperFactory(region_code=TOWNSHIP) for _n in range(3)]
    earlier = HelperFactory(person__name="前任帮扶人", region_code=TOWNSHIP)
    PairingFactory(
        helper=earlier,
        household=home,
        started_on=datetime.date(2019, 1, 1),
        ended_on=datetime.date(2020, 12, 31),
    )
    client = _client(Role.FIRST_SECRETARY)  # not a helper of the household
    page = client.get(f"/registry/households/{home.pk}/visits/new/").content.decode()
    options = re.findall(r'<option value="(\d*)"( selected)?>', page)
    assert options == [("", " selected"), (str(helper.pk), "")]
    assert "前任帮扶人" not in page
    assert 'min="2000-01-01"' in page and f'max="{timezone.localdate():%Y-%m-%d}"' in page
    response = client.post(
        f"/registry/households/{home.pk}/visits/new/",
        {"visited_on": "2024-05-02", "findings": "外人", "helper": others[0].pk},
    )
    assert response.status_code == 200
    assert not Visit.objects.filter(findings="外人").exists()


@pytest.mark.parametrize(
    ("helper", "day", "reason"),
    [
        (True, "2020-12-31", "帮扶人甲 has been this household's helper since 2021-01-01"),
        (False, "1990-01-01", "The visit date cannot be before 2000-01-01."),
    ],
)
def test_a_visit_before_the_pairing_began_is_refused(home, helper, day, reason):
    pairing = home.pairings.get()
    client = _client(Role.FIRST_SECRETARY)
    data = {"visited_on": day, "findings": "补录"}
    if helper:
        data["helper"] = pairing.helper.pk
    response = client.post(f"/registry/households/{home.pk}/visits/new/", data)
    assert response.status_code == 200
    assert reason in html.unescape(response.content.decode())
    assert not Visit.objects.filter(findings="补录").exists()
    data["visited_on"] = "2021-01-01"  # the day the pairing began is fine
    assert client.post(f"/registry/households/{home.pk}/visits/new/", data).status_code == 302


def test_visit_in_the_future_is_refused(home):
    client = _client(Role.FIRST_SECRETARY)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        f"/registry/households/{home.pk}/visits/new/",
        {"visited_on": tomorrow.isoformat(), "findings": "x"},
    )
    assert "is in the future" in response.content.decode()
    assert not Visit.objects.filter(household=home, findings="x").exists()


def test_pair_a_new_helper_through_the_page(client_insider, home):
    new = HelperFactory(person__name="帮扶人乙", region_code="420222")  # a county cadre
    far = HelperFactory(person__name="外县干部", region_code="420281")
    # The county's pool is found by the form's search (the list shows the village's own).
    search = f"/registry/households/{home.pk}/pairing/helpers/"
    assert "帮扶人乙" in client_insider.get(search, {"helper_search": "帮扶人"}).content.decode()
    assert "外县干部" not in client_insider.get(search, {"helper_search": "干部"}).content.decode()
    response = client_insider.post(
        f"/registry/households/{home.pk}/pairing/new/",
        {"helper": far.pk, "started_on": "2024-01-01"},
    )
    assert response.status_code == 200  # not a choice for this user
    response = client_insider.post(
        f"/registry/households/{home.pk}/pairing/new/",
        {"helper": new.pk, "started_on": "2024-01-01"},
    )
    assert response.status_code == 302
    current = Pairing.objects.get(household=home, ended_on__isnull=True)
    assert current.helper == new


def test_end_a_pairing(client_insider, home):
    pairing = home.pairings.get()
    client_insider.post(f"/registry/pairings/{pairing.pk}/end/")
    pairing.refresh_from_db()
    assert pairing.ended_on == timezone.localdate()


def test_create_a_helper(client_insider):
    number = id_number(11, datetime.date(1975, 1, 1))
    response = client_insider.post(
        "/registry/helpers/new/",
        {"name": "干部丙", "id_number": number, "unit": "兴国镇政府", "region_code": TOWNSHIP},
    )
    assert response.status_code == 302
    page = client_insider.get("/registry/helpers/").content.decode()
    assert "干部丙" in page


def test_overdue_visits_page(client_insider, home):
    never = HouseholdFactory(number="420222100001000444")
    recent = HouseholdFactory(number="420222100001000333")
    VisitFactory(household=recent, visited_on=timezone.localdate())
    page = client_insider.get("/registry/visits/overdue/", {"days": 30}).content.decode()
    assert f"/registry/households/{never.pk}/" in page
    assert f"/registry/households/{home.pk}/" in page  # last visit 2024-05-01
    assert f"/registry/households/{recent.pk}/" not in page
    assert "帮扶人甲" in page  # the helper of an overdue household


def test_household_page_of_another_county_is_not_found_even_for_the_bureau(home):
    bureau = _client(Role.REVITALISATION_BUREAU, scope="420281")
    assert bureau.get(f"/registry/households/{home.pk}/").status_code == 404


def test_neighbour_sees_its_own_households(client_neighbour):
    own = HouseholdFactory(
        number="420222101001000001", village=Region.objects.get(code=NEIGHBOUR_VILLAGE)
    )
    page = client_neighbour.get("/registry/households/").content.decode()
    assert f"/registry/households/{own.pk}/" in page


def test_household_page_includes_the_outcome_pieces(client_insider, home):
    page = client_insider.get(f"/registry/households/{home.pk}/").content.decode()
    assert f'hx-get="/registry/households/{home.pk}/exit-check/?year=2023"' in page
    assert f'action="/registry/households/{home.pk}/procedures/start/"' in page
    assert f"/registry/households/{home.pk}/risk-events/new/" in page
    case = home.monitoring_cases.get()
    assert f"/registry/cases/{case.pk}/" in page
    leader = _client(Role.LEADER).get(f"/registry/households/{home.pk}/").content.decode()
    assert "/procedures/start/" not in leader and "/risk-events/new/" not in leader


def test_export_link_carries_the_filters(client_insider, home):
    page = client_insider.get("/registry/households/", {"status": "not_lifted"}).content.decode()
    assert 'href="/registry/households/export/?' in page
    assert "status=not_lifted" in page.split('data-testid="export"')[0].rsplit("href=", 1)[1]
    assert 'href="/imports/upload/"' in page
    leader = _client(Role.LEADER).get("/registry/households/").content.decode()
    assert 'href="/imports/upload/"' not in leader
