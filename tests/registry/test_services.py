"""The register's services: people deduplicated by ID number, one household per person,
the ID checks, years, pairing and visits, the not-visited lists, search and keyset pages."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from baolei.accounts.permissions import Role
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import (
    Household,
    HouseholdYear,
    Member,
    Pairing,
    Person,
    StatusChange,
    Visit,
)
from baolei.registry.services import households as services_households
from baolei.registry.services import lists as services_lists
from baolei.registry.services import pairing as services_pairing
from baolei.registry.services import people as services
from baolei.registry.services import years as services_years
from tests.factories import UserFactory
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    VILLAGE,
    HelperFactory,
    HouseholdFactory,
    MemberFactory,
    PairingFactory,
    PersonFactory,
    VisitFactory,
    id_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


BORN = datetime.date(1990, 6, 15)
OTHER_VILLAGE = "420222100002"  # also in 兴国镇


def _region(code: str) -> Region:
    return Region.objects.get(code=code)


def a_number(n: int, male: bool = True) -> str:
    return id_number(400 + n, BORN, male)


def _add(actor, household, n, **fields):
    defaults = {
        "id_number": a_number(n),
        "name": f"成员{n}",
        "relation": choices.Relation.SON,
        "labour_capacity": choices.LabourCapacity.ORDINARY,
    }
    return services_households.do_add_member(actor, household, **{**defaults, **fields})


# --- ID numbers and person fields ---------------------------------------------------------


def test_person_fields_normalise_the_id_number():
    raw = a_number(1).translate(str.maketrans("0123456789X", "０１２３４５６７８９x"))
    parsed = services.validate_person_fields(raw, "张三")
    assert parsed.number == a_number(1)
    assert parsed.birth_date == BORN and parsed.sex == "male"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("42022219900615", "length"),
        ("42022219901315801X"[:17] + "0", "birth_date"),
        (a_number(1)[:17] + ("0" if a_number(1)[-1] != "0" else "1"), "check_character"),
        ("4202221990061A8010", "characters"),
    ],
)
def test_bad_id_numbers_are_refused_on_the_id_field(number, code):
    with pytest.raises(services.RegistryError) as caught:
        services.validate_person_fields(number, "张三")
    assert caught.value.code == code
    assert caught.value.field == "id_number"
    assert str(caught.value.message).startswith("ID number:")


def test_a_sex_that_disagrees_with_the_id_number_is_refused_on_the_sex_field():
    with pytest.raises(services.RegistryError) as caught:
        services.validate_person_fields(a_number(1, male=True), "张三", sex="female")
    assert caught.value.field == "sex"
    assert caught.value.code == "sex_mismatch"
    assert "Female" in str(caught.value.message) and "Male" in str(caught.value.message)


def test_a_birth_date_that_disagrees_with_the_id_number_is_refused():
    with pytest.raises(services.RegistryError) as caught:
        services.validate_person_fields(a_number(1), "张三", birth_date=datetime.date(1990, 6, 16))
    assert caught.value.field == "birth_date"
    assert "1990-06-15" in str(caught.value.message)


def test_sex_and_birth_date_that_agree_are_accepted():
    parsed = services.validate_person_fields(
        a_number(2, male=False), "李四", sex="female", birth_date=BORN
    )
    assert parsed.sex == "female"


def test_a_missing_name_is_refused_on_the_name_field():
    with pytest.raises(services.RegistryError) as caught:
        services.validate_person_fields(a_number(1), "  ")
    assert caught.value.field == "name"


# --- households ---------------------------------------------------------------------------


def test_create_household_with_its_head(insider):
    household = services_households.do_create_household(
        insider,
        village=VILLAGE,
        number="H-0001",
        head_id_number=a_number(1).lower(),
        head_name="王五",
        status=choices.PovertyStatus.NOT_LIFTED,
        main_cause=choices.PovertyCause.ILLNESS,
    )
    member = Member.objects.get(household=household)
    assert member.relation == choices.Relation.HEAD
    assert household.head == member.person
    assert member.person.id_number == a_number(1)
    assert member.person.region_code == VILLAGE
    change = StatusChange.objects.get(household=household)
    assert change.to_status == choices.PovertyStatus.NOT_LIFTED
    assert change.decided_by == insider.full_name


def test_create_household_outside_the_scope_is_refused(neighbour):
    with pytest.raises(services.RegistryError) as caught:
        services_households.do_create_household(neighbour, village=VILLAGE, number="H-0002")
    assert caught.value.code == "out_of_scope"
    assert not Household.objects.filter(number="H-0002").exists()


def test_create_household_needs_a_real_village(insider):
    with pytest.raises(services.RegistryError) as caught:
        services_households.do_create_household(insider, village="420222100", number="H-0003")
    assert caught.value.code == "unknown_village" and caught.value.field == "village"


def test_a_household_number_is_used_once(insider):
    HouseholdFactory(number="H-0004")
    with pytest.raises(services.RegistryError) as caught:
        services_households.do_create_household(insider, village=VILLAGE, number="H-0004")
    assert caught.value.field == "number"


def test_a_household_with_a_bad_head_is_not_created(insider):
    with pytest.raises(services.RegistryError) as caught:
        services_households.do_create_household(
            insider, village=VILLAGE, number="H-0005", head_id_number="123", head_name="王五"
        )
    assert caught.value.field == "id_number"
    # The service is one transaction; the view's request transaction rolls it back too.


def test_other_causes_must_differ_from_the_main_cause(insider):
    with pytest.raises(services.RegistryError) as caught:
        services_households.do_create_household(
            insider,
            village=VILLAGE,
            number="H-0006",
            main_cause=choices.PovertyCause.ILLNESS,
            second_cause=choices.PovertyCause.ILLNESS,
        )
    assert caught.value.code == "duplicate_cause"


def test_the_status_is_not_editable(insider):
    household = HouseholdFactory()
    with pytest.raises(services.RegistryError) as caught:
        services_households.do_update_household(
            insider, household, household.version, status=choices.PovertyStatus.RELAPSED
        )
    assert caught.value.code == "unknown_field"
    household.refresh_from_db()
    assert household.status == choices.PovertyStatus.LIFTED_WITH_POLICY


@pytest.mark.parametrize(
    ("field", "value"),
    [("registered_poor", False), ("monitoring_type", choices.MonitoringType.MARGINAL)],
)
def test_what_only_procedures_change_is_refused_to_every_caller(insider, field, value):
    """The form and the API no longer send them; the service refuses them too, so that
    no caller (a command, another app, a future form) can bypass the procedures."""
    household = HouseholdFactory(registered_poor=True, monitoring_type="")
    with pytest.raises(services.RegistryError) as caught:
        services_households.do_update_household(
            insider, household, household.version, address="新地址", **{field: value}
        )
    assert (caught.value.code, caught.value.field) == ("changed_by_procedure", field)
    assert "procedure" in str(caught.value.message)
    household.refresh_from_db()
    assert household.registered_poor is True and household.monitoring_type == ""
    assert household.address == "兴国镇山川台" and household.version == 1


def test_the_value_a_household_has_passes_as_no_change(insider):
    household = HouseholdFactory(registered_poor=False, monitoring_type="marginal")
    services_households.do_update_household(
        insider, household, 1, registered_poor=False, monitoring_type="marginal", address="新"
    )
    household.refresh_from_db()
    assert (household.registered_poor, household.monitoring_type) == (False, "marginal")
    assert household.address == "新" and household.version == 2


@pytest.mark.parametrize(
    ("status", "registered"), [(choices.PovertyStatus.NOT_LIFTED, True), ("", False)]
)
def test_a_new_household_is_registered_poor_exactly_when_it_has_a_status(
    insider, status, registered
):
    household = services_households.do_create_household(
        insider, village=VILLAGE, number="H-0010", status=status
    )
    assert household.registered_poor is registered
    with pytest.raises(services.RegistryError) as caught:
        services_households.do_create_household(
            insider,
            village=VILLAGE,
            number="H-0011",
            status=status,
            registered_poor=not registered,
        )
    assert (caught.value.code, caught.value.field) == ("changed_by_procedure", "registered_poor")
    assert not Household.objects.filter(number="H-0011").exists()


def test_a_household_entered_as_monitored_keeps_its_type(insider):
    """An existing register being entered: the monitoring type comes with it, like the
    status (the importer does this; the form and the API do not offer it)."""
    household = services_households.do_create_household(
        insider, village=VILLAGE, number="H-0012", monitoring_type="marginal"
    )
    assert household.monitoring_type == "marginal" and household.registered_poor is False


def test_moving_a_household_moves_its_people(insider):
    household = HouseholdFactory()
    member = MemberFactory(household=household)
    services_households.do_update_household(insider, household, 1, village=OTHER_VILLAGE)
    member.person.refresh_from_db()
    assert member.person.region_code == OTHER_VILLAGE


# --- members: one person, one household ---------------------------------------------------


def test_an_existing_person_in_no_household_is_reused(insider):
    helper = HelperFactory()  # a cadre: a person, in no household
    household = HouseholdFactory()
    people = Person.objects.count()
    member = _add(insider, household, 0, id_number=helper.person.id_number, name=helper.person.name)
    assert member.person == helper.person
    assert Person.objects.count() == people
    helper.person.refresh_from_db()
    assert helper.person.region_code == household.village_id


def test_a_person_in_another_household_is_refused_naming_it(insider):
    first = MemberFactory()
    second = HouseholdFactory()
    with pytest.raises(services.PersonInAnotherHousehold) as caught:
        _add(insider, second, 0, id_number=first.person.id_number, name=first.person.name)
    assert first.household.number in str(caught.value.message)
    assert caught.value.field == "id_number"
    assert not Member.objects.filter(household=second).exists()


def test_a_person_already_in_this_household_is_refused(insider):
    member = MemberFactory()
    with pytest.raises(services.RegistryError) as caught:
        _add(
            insider, member.household, 0, id_number=member.person.id_number, name=member.person.name
        )
    assert caught.value.code == "already_member"


def test_the_database_refuses_a_second_membership():
    first = MemberFactory()
    second = HouseholdFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            household=second,
            person=first.person,
            relation=choices.Relation.HEAD,
            labour_capacity=choices.LabourCapacity.ORDINARY,
        )


def test_the_database_constraint_catches_what_the_check_missed(insider, monkeypatch):
    """A concurrent save can slip past the check; the one-to-one key still refuses it,
    with the same message naming the other household."""
    first = MemberFactory()
    second = HouseholdFactory()
    monkeypatch.setattr(services_households, "_refuse_if_member", lambda *args: None)
    with pytest.raises(services.PersonInAnotherHousehold) as caught:
        _add(insider, second, 0, id_number=first.person.id_number, name=first.person.name)
    assert first.household.number in str(caught.value.message)
    assert Member.objects.filter(person=first.person).get().household == first.household


def test_a_known_number_under_another_name_is_refused(insider):
    person = PersonFactory(name="赵六", region_code="")
    with pytest.raises(services.RegistryError) as caught:
        _add(insider, HouseholdFactory(), 0, id_number=person.id_number, name="钱七")
    assert caught.value.code == "name_mismatch" and caught.value.field == "name"


def test_a_household_has_one_head(insider):
    household = HouseholdFactory()
    _add(insider, household, 1, relation=choices.Relation.HEAD)
    with pytest.raises(services.RegistryError) as caught:
        _add(insider, household, 2, relation=choices.Relation.HEAD)
    assert caught.value.code == "second_head" and caught.value.field == "relation"


def test_member_fields_are_validated(insider):
    with pytest.raises(services.RegistryError) as caught:
        _add(insider, HouseholdFactory(), 1, health="bad-value")
    assert caught.value.field == "health"
    with pytest.raises(services.RegistryError) as caught:
        _add(insider, HouseholdFactory(), 2, disability_grade=7)
    assert caught.value.field == "disability_grade"


def test_update_member_cannot_take_another_persons_number(insider):
    household = HouseholdFactory()
    member = _add(insider, household, 1)
    other = PersonFactory(region_code="")
    with pytest.raises(services.RegistryError) as caught:
        services_households.do_update_member(insider, member, id_number=other.id_number)
    assert caught.value.code == "id_number_taken"
    member.person.refresh_from_db()
    assert member.person.id_number == a_number(1)


def test_correcting_an_id_number_updates_sex_and_birth_date(insider):
    member = _add(insider, HouseholdFactory(), 1)
    services_households.do_update_member(insider, member, id_number=a_number(3, male=False))
    member.person.refresh_from_db()
    assert member.person.sex == "female" and member.person.id_number == a_number(3, male=False)


def test_making_a_member_the_head_sets_the_households_head(insider):
    household = HouseholdFactory()
    member = _add(insider, household, 1)
    services_households.do_update_member(insider, member, relation=choices.Relation.HEAD)
    household.refresh_from_db()
    assert household.head_id == member.person_id


def test_removing_the_head_clears_it_and_keeps_the_person(insider):
    household = HouseholdFactory()
    member = _add(insider, household, 1, relation=choices.Relation.HEAD)
    services_households.do_remove_member(insider, member)
    household.refresh_from_db()
    assert household.head is None
    person = Person.objects.get(id_number=a_number(1))
    # ... who may now join another household.
    _add(insider, HouseholdFactory(), 1)
    assert Member.objects.get(person=person).household != household


# --- years --------------------------------------------------------------------------------


def test_year_computes_per_capita_income_and_counts_members(insider):
    household = HouseholdFactory()
    for n in range(3):
        _add(insider, household, n)
    record = services_years.do_save_household_year(
        insider,
        household,
        2023,
        wages=Decimal("10000"),
        production_business="2000",
        transfers=500,
        production_costs=Decimal("1000.50"),
        food=True,
        drinking_water=False,
        assurance_notes={"drinking_water": "well dry in summer"},
    )
    assert record.member_count == 3
    assert record.per_capita_net_income == Decimal("3833.17")
    again = services_years.do_save_household_year(
        insider, household, 2023, wages=3000, member_count=2
    )
    assert again.pk == record.pk
    assert again.per_capita_net_income == Decimal("1500.00")
    assert again.food is None  # the whole year is written: unset is "not known"
    assert HouseholdYear.objects.filter(household=household).count() == 1


def test_year_refuses_negative_and_non_numeric_income(insider):
    household = HouseholdFactory()
    for value, code in ((-1, "negative"), ("abc", "not_a_number")):
        with pytest.raises(services.RegistryError) as caught:
            services_years.do_save_household_year(insider, household, 2023, wages=value)
        assert caught.value.code == code and caught.value.field == "wages"
    with pytest.raises(services.RegistryError) as caught:
        services_years.do_save_household_year(insider, household, timezone.localdate().year + 1)
    assert caught.value.field == "year"


# --- pairing and visits -------------------------------------------------------------------


def test_pairing_a_new_helper_ends_the_previous_pairing(insider):
    household = HouseholdFactory()
    first = services_pairing.do_pair(insider, HelperFactory(), household, datetime.date(2022, 1, 1))
    second_helper = HelperFactory()
    services_pairing.do_pair(insider, second_helper, household, datetime.date(2023, 3, 1))
    first.refresh_from_db()
    assert first.ended_on == datetime.date(2023, 3, 1)
    assert services_pairing.current_helper(household) == second_helper
    with pytest.raises(services.RegistryError) as caught:
        services_pairing.do_pair(insider, second_helper, household, datetime.date(2023, 4, 1))
    assert caught.value.code == "already_paired"
    with pytest.raises(services.RegistryError) as caught:
        services_pairing.do_pair(insider, HelperFactory(), household, datetime.date(2023, 1, 1))
    assert caught.value.code == "before_current"
    assert Pairing.objects.filter(household=household, ended_on__isnull=True).count() == 1


def test_ending_a_pairing(insider):
    pairing = PairingFactory()
    services_pairing.do_end_pairing(insider, pairing, datetime.date(2024, 1, 1))
    pairing.refresh_from_db()
    assert pairing.ended_on == datetime.date(2024, 1, 1)
    with pytest.raises(services.RegistryError):
        services_pairing.do_end_pairing(insider, pairing)


def test_a_visit_cannot_be_in_the_future_and_needs_findings(insider):
    household = HouseholdFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(services.RegistryError) as caught:
        services_pairing.do_record_visit(insider, household, visited_on=tomorrow, findings="ok")
    assert caught.value.field == "visited_on"
    with pytest.raises(services.RegistryError) as caught:
        services_pairing.do_record_visit(
            insider, household, visited_on=timezone.localdate(), findings=" "
        )
    assert caught.value.field == "findings"
    visit = services_pairing.do_record_visit(
        insider, household, visited_on=timezone.localdate(), findings="病情稳定"
    )
    assert visit.recorded_by == insider
    assert Visit.objects.filter(household=household).count() == 1


# --- lists --------------------------------------------------------------------------------

TODAY = datetime.date(2024, 6, 30)


@pytest.fixture
def visited():
    """Households visited 3, 30 and 31 days ago, and one never visited."""
    homes = {}
    for label, days in (("recent", 3), ("edge", 30), ("late", 31), ("never", None)):
        homes[label] = HouseholdFactory(number=f"V-{label}")
        if days is not None:
            VisitFactory(household=homes[label], visited_on=TODAY - datetime.timedelta(days=days))
            VisitFactory(household=homes[label], visited_on=TODAY - datetime.timedelta(days=400))
    return homes


def test_households_not_visited_includes_those_never_visited(visited, django_assert_num_queries):
    queryset = services_lists.households_not_visited(Household.objects.all(), 30, TODAY)
    with django_assert_num_queries(1):
        rows = {h.number: h.last_visited_on for h in queryset}
    assert rows == {"V-late": TODAY - datetime.timedelta(days=31), "V-never": None}
    assert {
        h.number for h in services_lists.households_not_visited(Household.objects.all(), 2, TODAY)
    } == {
        "V-recent",
        "V-edge",
        "V-late",
        "V-never",
    }


def test_helpers_with_overdue_visits_are_counted_in_one_query(visited, django_assert_num_queries):
    busy, diligent, former = HelperFactory(), HelperFactory(), HelperFactory()
    PairingFactory(helper=busy, household=visited["late"])
    PairingFactory(helper=busy, household=visited["never"])
    PairingFactory(helper=diligent, household=visited["recent"])
    PairingFactory(helper=former, household=HouseholdFactory(), ended_on=datetime.date(2023, 1, 1))
    queryset = services_lists.helpers_with_overdue_visits(Household.objects.all(), 30, TODAY)
    with django_assert_num_queries(1):
        rows = [(helper.pk, helper.overdue_households, helper.person.name) for helper in queryset]
    assert [(pk, count) for pk, count, _name in rows] == [(busy.pk, 2)]


def test_overdue_helpers_count_only_the_callers_households(visited):
    helper = HelperFactory()
    PairingFactory(helper=helper, household=visited["never"])
    PairingFactory(
        helper=helper,
        household=HouseholdFactory(number="V-far", village=_region(NEIGHBOUR_VILLAGE)),
    )
    mine = Household.objects.filter(village_id=VILLAGE)
    [row] = services_lists.helpers_with_overdue_visits(mine, 30, TODAY)
    assert row.overdue_households == 1


def test_search_by_number_name_and_full_id_number(insider):
    household = HouseholdFactory(number="420222100001099001")
    _add(insider, household, 1, name="欧阳修", relation=choices.Relation.HEAD)
    other = HouseholdFactory(number="420222100001099002")
    _add(insider, other, 2, name="欧阳询")
    everything = Household.objects.all()

    def found(text):
        return set(
            services_lists.household_search(everything, text).values_list("number", flat=True)
        )

    assert found("420222100001099001") == {"420222100001099001"}
    assert found("4202221000010990") == {"420222100001099001", "420222100001099002"}
    assert found("欧阳修") == {"420222100001099001"}
    assert found("欧阳") == {"420222100001099001", "420222100001099002"}
    full_width = a_number(1).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert found(full_width) == {"420222100001099001"}
    assert found(a_number(1)[-6:]) == set()  # partial numbers are not searched
    assert found("") == set(everything.values_list("number", flat=True))


# --- keyset pagination --------------------------------------------------------------------


@pytest.fixture
def many_households():
    numbers = []
    for village in (VILLAGE, OTHER_VILLAGE, NEIGHBOUR_VILLAGE):
        for n in range(9):
            numbers.append(
                HouseholdFactory(number=f"K{village[-6:]}-{n:02d}", village=_region(village))
            )
    return Household.objects.filter(number__startswith="K")


def test_keyset_pages_cover_every_household_once_in_order(many_households):
    expected = list(
        many_households.order_by("village_id", "number").values_list("number", flat=True)
    )
    seen, pages, cursor = [], [], None
    while True:
        page = services_lists.household_page(many_households, after=cursor, size=4)
        pages.append([h.number for h in page.items])
        seen += pages[-1]
        assert (page.previous_cursor is None) == (len(pages) == 1)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == expected
    assert len(pages) == 7
    # ... and back again with the previous cursors, page by page.
    back, cursor = [], page.previous_cursor
    while cursor:
        page = services_lists.household_page(many_households, before=cursor, size=4)
        back.insert(0, [h.number for h in page.items])
        cursor = page.previous_cursor
    assert back == pages[:-1]


def test_keyset_pages_stay_stable_when_rows_are_added_before_the_cursor(many_households):
    first = services_lists.household_page(many_households, size=5)
    HouseholdFactory(number="K000-00", village=_region(VILLAGE))  # sorts before everything
    second = services_lists.household_page(many_households, after=first.next_cursor, size=5)
    assert second.items[0].number not in [h.number for h in first.items]
    assert second.items[0].number == "K100001-05"


def test_a_damaged_cursor_gives_the_first_page(many_households):
    page = services_lists.household_page(many_households, after="not-a-cursor!", size=3)
    assert [h.number for h in page.items] == ["K100001-00", "K100001-01", "K100001-02"]
    assert page.previous_cursor is None


def test_keyset_pages_run_a_bounded_number_of_queries(
    many_households, django_assert_max_num_queries
):
    first = services_lists.household_page(many_households, size=4)
    with django_assert_max_num_queries(2):
        services_lists.household_page(many_households, after=first.next_cursor, size=4)


def test_filters_combine(insider):
    match = HouseholdFactory(
        number="F-1",
        status=choices.PovertyStatus.NOT_LIFTED,
        monitoring_type=choices.MonitoringType.MARGINAL,
        attribute=choices.HouseholdAttribute.DESTITUTE,
        registered_poor=False,
    )
    HouseholdFactory(number="F-2", status=choices.PovertyStatus.NOT_LIFTED)
    HouseholdFactory(number="F-3", village=_region(NEIGHBOUR_VILLAGE), monitoring_type="marginal")
    filters = services.HouseholdFilters(
        region="420222100",
        status="not_lifted",
        monitored=True,
        attribute="destitute",
        registered=False,
        main_cause="illness",
    )
    assert list(services.filter_households(Household.objects.all(), filters)) == [match]
    unmonitored = services.HouseholdFilters(monitored=False, region="420222100")
    numbers = set(
        services.filter_households(Household.objects.all(), unmonitored).values_list(
            "number", flat=True
        )
    )
    assert numbers == {"F-2"}


def test_an_actor_without_a_region_cannot_create_anywhere():
    nobody = UserFactory(role=Role.TOWNSHIP_OFFICER, scope=None)
    with pytest.raises(services.RegistryError) as caught:
        services_households.do_create_household(nobody, village=VILLAGE, number="N-1")
    assert caught.value.code == "out_of_scope"
