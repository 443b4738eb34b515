"""The register's API under /api/registry/: households, members, incomes and visits.

Scoped exactly like the pages: a record outside the caller's scope answers 404, lists
hold only the scope's records, a missing permission answers 403, and ID numbers (with
birth dates and health) are masked unless the role may see personal data. Writes go
through `services`; a stale household edit answers 409, any other refusal 422 with the
field at fault.
"""

from __future__ import annotations

import datetime
import enum
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from baolei import idnumbers
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.bounds import Area, Income, SmallCount, SmallNumber, Year
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import Household, Member, Visit
from baolei.registry.services import households as services_households
from baolei.registry.services import lists as services_lists
from baolei.registry.services import pairing as services_pairing
from baolei.registry.services import people as services
from baolei.registry.services import years as services_years

router = Router(tags=["registry"])


# --- schemas -----------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class StaleOut(ErrorOut):
    current_version: int


class HouseholdOut(Schema):
    id: int
    number: str
    village_code: str
    village_name: str
    address: str
    head_name: str | None
    head_id_number: str | None
    registered_poor: bool
    attribute: str
    identification_year: int | None
    identification_standard: str
    status: str
    status_since: datetime.date | None
    main_cause: str
    second_cause: str
    third_cause: str
    housing_area: Decimal | None
    housing_structure: str
    housing_safety: str
    monitoring_type: str
    version: int = Field(description="Send it back with an update (optimistic locking).")
    updated_at: datetime.datetime


class HouseholdPageOut(Schema):
    items: list[HouseholdOut]
    next: str | None = Field(description="Cursor of the next page (`after=`), if any.")
    previous: str | None = Field(description="Cursor of the previous page (`before=`), if any.")


class HouseholdMemberOut(Schema):
    id: int
    person_id: int
    name: str
    id_number: str = Field(description="Masked unless the role may see personal data.")
    id_number_masked: bool
    sex: str
    birth_date: datetime.date | None = Field(description="Null unless the role may see it.")
    age: int
    ethnicity: str
    relation: str
    education: str
    school_status: str
    health: str | None = Field(description="Null unless the role may see personal data.")
    disability_grade: int | None
    labour_capacity: str
    employment: str
    minimum_living: bool
    medical_insurance: bool
    pension_insurance: bool


class YearOut(Schema):
    year: int
    wages: Decimal
    production_business: Decimal
    property_income: Decimal
    transfers: Decimal
    production_costs: Decimal
    member_count: int
    per_capita_net_income: Decimal
    food: bool | None
    clothing: bool | None
    compulsory_education: bool | None
    basic_medical: bool | None
    housing_safety: bool | None
    drinking_water: bool | None
    assurance_notes: dict[str, str]


class VisitOut(Schema):
    id: int
    visited_on: datetime.date
    helper_id: int | None
    helper_name: str | None
    findings: str
    actions: str
    follow_up: str
    recorded_at: datetime.datetime


class HouseholdDetailOut(HouseholdOut):
    members: list[HouseholdMemberOut]
    years: list[YearOut]
    visits: list[VisitOut] = Field(description="The 50 most recent visits.")


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class HouseholdFieldsIn(StrictSchema):
    """The household fields a client may write. Whether the household is registered as
    poor and its monitoring type are not among them: they change only through the
    identification, exit and monitoring procedures (sending them answers 422)."""

    address: str | None = None
    attribute: choices.HouseholdAttribute | None = None
    identification_year: Year | None = None
    identification_standard: choices.IdentificationStandard | None = None
    main_cause: choices.PovertyCause | None = None
    second_cause: choices.PovertyCause | None = None
    third_cause: choices.PovertyCause | None = None
    housing_area: Area | None = Field(None, description="Square metres, not negative.")
    housing_structure: choices.HousingStructure | None = None
    housing_safety: choices.HousingSafety | None = None


class HeadIn(StrictSchema):
    id_number: str
    name: str
    labour_capacity: choices.LabourCapacity = choices.LabourCapacity.ORDINARY
    sex: choices.Sex | None = None
    birth_date: datetime.date | None = None


class HouseholdCreateIn(HouseholdFieldsIn):
    number: str
    village_code: str
    status: choices.PovertyStatus | None = Field(
        None,
        description=(
            "Status on entering the register; later only procedures change it. A household "
            "given a status is a registered poor household, one without is not (yet)."
        ),
    )
    status_since: datetime.date | None = None
    head: HeadIn | None = None


class HouseholdUpdateIn(HouseholdFieldsIn):
    """Only the fields sent are changed. The status, whether the household is registered
    as poor and its monitoring type are not editable (procedures change them)."""

    version: int = Field(description="The `version` the change was made from.")
    number: str | None = None
    village_code: str | None = None


class HouseholdMemberIn(StrictSchema):
    id_number: str
    name: str
    relation: choices.Relation
    labour_capacity: choices.LabourCapacity
    sex: choices.Sex | None = None
    birth_date: datetime.date | None = None
    ethnicity: str = ""
    phone: str = ""
    education: choices.Education | None = None
    school_status: choices.SchoolStatus | None = None
    health: choices.Health | None = None
    disability_grade: SmallNumber | None = None
    employment: choices.Employment | None = None
    minimum_living: bool | None = None
    medical_insurance: bool | None = None
    pension_insurance: bool | None = None


class MemberUpdateIn(StrictSchema):
    """Only the fields sent are changed, as on the member's edit page (same service, same
    rules). `sex` and `birth_date` are checked against the ID number, which decides them;
    null clears `education`, `phone` and `disability_grade`. Health and the disability
    grade may be sent only by a role that may see personal data (403 otherwise)."""

    id_number: str | None = Field(None, description="A correction of the person's number.")
    name: str | None = None
    sex: choices.Sex | None = None
    birth_date: datetime.date | None = None
    ethnicity: str | None = None
    phone: str | None = None
    relation: choices.Relation | None = None
    education: choices.Education | None = None
    school_status: choices.SchoolStatus | None = None
    health: choices.Health | None = None
    disability_grade: SmallNumber | None = None
    labour_capacity: choices.LabourCapacity | None = None
    employment: choices.Employment | None = None
    minimum_living: bool | None = None
    medical_insurance: bool | None = None
    pension_insurance: bool | None = None


class YearIn(StrictSchema):
    wages: Income = Decimal(0)
    production_business: Income = Decimal(0)
    property_income: Income = Decimal(0)
    transfers: Income = Decimal(0)
    production_costs: Income = Decimal(0)
    member_count: SmallCount | None = Field(None, description="Default: the members today.")
    food: bool | None = None
    clothing: bool | None = None
    compulsory_education: bool | None = None
    basic_medical: bool | None = None
    housing_safety: bool | None = None
    drinking_water: bool | None = None
    assurance_notes: dict[str, str] = Field(default_factory=dict)


class VisitIn(StrictSchema):
    visited_on: datetime.date | None = Field(None, description="Default: today.")
    findings: str
    actions: str = ""
    follow_up: str = ""
    helper_id: int | None = None


class HouseholdFiltersIn(Schema):
    region: str | None = Field(None, description="A region code within the scope.")
    status: choices.PovertyStatus | None = None
    monitoring_type: choices.MonitoringType | None = None
    main_cause: choices.PovertyCause | None = None
    attribute: choices.HouseholdAttribute | None = None
    registered: bool | None = None
    monitored: bool | None = None
    not_visited_days: int | None = Field(None, ge=1, le=3650)
    q: str | None = Field(None, description="Household number, member name or full ID number.")
    after: str | None = None
    before: str | None = None
    limit: int = Field(services_lists.PAGE_SIZE, ge=1, le=500)


# --- helpers -----------------------------------------------------------------------------


def _require(request: HttpRequest, perm: Perm) -> Scope:
    if not request.scope.can(perm):
        raise HttpError(403, "not allowed")
    return request.scope


def _household(request: HttpRequest, pk: int) -> Household:
    queryset = Household.objects.select_related("village", "head")
    return get_in_scope(queryset, request.scope, pk=pk)


def _value(value):
    """An enumeration member as its stored value; None (cleared) as the empty value."""
    if value is None:
        return ""
    return value.value if isinstance(value, enum.Enum) else value


def _error(error: services.RegistryError) -> Status:
    body = {"detail": str(error.message), "code": error.code, "field": error.field}
    if isinstance(error, services.StaleEdit):
        return Status(409, {**body, "current_version": error.current_version})
    return Status(422, body)


def _household_out(scope: Scope, household: Household) -> dict:
    head = household.head
    data = {
        name: getattr(household, name)
        for name in (
            "id",
            "number",
            "address",
            "registered_poor",
            "attribute",
            "identification_year",
            "identification_standard",
            "status",
            "status_since",
            "main_cause",
            "second_cause",
            "third_cause",
            "housing_area",
            "housing_structure",
            "housing_safety",
            "monitoring_type",
            "version",
            "updated_at",
        )
    }
    data.update(
        village_code=household.village_id,
        village_name=household.village.name,
        head_name=head.name if head else None,
        head_id_number=services.shown_id_number(scope, head.id_number) if head else None,
    )
    return data


def _member_out(scope: Scope, member: Member) -> dict:
    person = member.person
    sees = scope.can(Perm.SEE_PERSONAL_DATA)
    return {
        "id": member.pk,
        "person_id": person.pk,
        "name": person.name,
        "id_number": services.shown_id_number(scope, person.id_number),
        "id_number_masked": not sees,
        "sex": person.sex,
        "birth_date": person.birth_date if sees else None,
        "age": idnumbers.age_on(person.birth_date, timezone.localdate()),
        "ethnicity": person.ethnicity,
        "relation": member.relation,
        "education": member.education,
        "school_status": member.school_status,
        "health": member.health if sees else None,
        "disability_grade": member.disability_grade if sees else None,
        "labour_capacity": member.labour_capacity,
        "employment": member.employment,
        "minimum_living": member.minimum_living,
        "medical_insurance": member.medical_insurance,
        "pension_insurance": member.pension_insurance,
    }


def _visit_out(visit: Visit) -> dict:
    return {
        "id": visit.pk,
        "visited_on": visit.visited_on,
        "helper_id": visit.helper_id,
        "helper_name": visit.helper.person.name if visit.helper else None,
        "findings": visit.findings,
        "actions": visit.actions,
        "follow_up": visit.follow_up,
        "recorded_at": visit.recorded_at,
    }


def _members(household: Household):
    return household.members.select_related("person").order_by("id")


def _visits(household: Household, limit: int):
    return household.visits.select_related("helper__person").order_by("-visited_on", "-id")[:limit]


# Fields whose "no value" is None rather than the empty string.
NULLABLE = {"identification_year", "housing_area", "status_since", "birth_date", "disability_grade"}


def _fields(payload: Schema, *, exclude: set[str]) -> dict:
    """The fields the client sent, enumerations as their values; null clears a field."""
    data = payload.dict(exclude_unset=True, exclude=exclude)
    return {name: value if name in NULLABLE else _value(value) for name, value in data.items()}


# --- households --------------------------------------------------------------------------


@router.get(
    "/households",
    response=HouseholdPageOut,
    summary="Households in scope, filtered, one keyset page at a time",
)
def list_households(request: HttpRequest, filters: Query[HouseholdFiltersIn]):
    scope = _require(request, Perm.VIEW)
    if filters.region:
        get_in_scope(Region.objects.all(), scope, code=filters.region)
    queryset = services.filter_households(
        scoped(Household.objects.select_related("village", "head"), scope),
        services.HouseholdFilters(
            region=filters.region,
            status=_value(filters.status) or None,
            monitoring_type=_value(filters.monitoring_type) or None,
            main_cause=_value(filters.main_cause) or None,
            attribute=_value(filters.attribute) or None,
            registered=filters.registered,
            monitored=filters.monitored,
            not_visited_days=filters.not_visited_days,
            search=filters.q,
        ),
    )
    page = services_lists.household_page(
        queryset, after=filters.after, before=filters.before, size=filters.limit
    )
    return {
        "items": [_household_out(scope, household) for household in page.items],
        "next": page.next_cursor,
        "previous": page.previous_cursor,
    }


@router.post(
    "/households",
    response={201: HouseholdOut, 422: ErrorOut},
    summary="Register a household, with its head as the first member",
)
def create_household(request: HttpRequest, payload: HouseholdCreateIn):
    scope = _require(request, Perm.EDIT_REGISTRY)
    fields = _fields(payload, exclude={"number", "village_code", "head"})
    head = payload.head
    head_fields = {}
    if head is not None:
        head_fields = {
            "head_id_number": head.id_number,
            "head_name": head.name,
            "head_labour_capacity": _value(head.labour_capacity),
            "head_sex": _value(head.sex) or None,
            "head_birth_date": head.birth_date,
        }
    # Registered as poor exactly when entered with a poverty status: the service
    # derives it (see the schema).
    try:
        household = services_households.do_create_household(
            request.user,
            village=payload.village_code,
            number=payload.number,
            **head_fields,
            **fields,
        )
    except services.RegistryError as error:
        return _error(error)
    return Status(201, _household_out(scope, _household(request, household.pk)))


@router.get(
    "/households/{pk}",
    response=HouseholdDetailOut,
    summary="One household with its members, years and recent visits",
)
def get_household(request: HttpRequest, pk: int):
    scope = _require(request, Perm.VIEW)
    household = _household(request, pk)
    return {
        **_household_out(scope, household),
        "members": [_member_out(scope, member) for member in _members(household)],
        "years": list(household.years.order_by("-year")),
        "visits": [_visit_out(visit) for visit in _visits(household, 50)],
    }


@router.patch(
    "/households/{pk}",
    response={200: HouseholdOut, 409: StaleOut, 422: ErrorOut},
    summary="Change a household (optimistic locking: 409 if someone saved it first)",
)
def update_household(request: HttpRequest, pk: int, payload: HouseholdUpdateIn):
    scope = _require(request, Perm.EDIT_REGISTRY)
    household = _household(request, pk)
    fields = _fields(payload, exclude={"version", "village_code"})
    if payload.village_code is not None:
        fields["village"] = payload.village_code
    try:
        services_households.do_update_household(request.user, household, payload.version, **fields)
    except services.RegistryError as error:
        return _error(error)
    return Status(200, _household_out(scope, _household(request, pk)))


# --- members, years, visits --------------------------------------------------------------


@router.get(
    "/households/{pk}/members",
    response=list[HouseholdMemberOut],
    summary="A household's members",
)
def list_members(request: HttpRequest, pk: int):
    scope = _require(request, Perm.VIEW)
    household = _household(request, pk)
    return [_member_out(scope, member) for member in _members(household)]


@router.post(
    "/households/{pk}/members",
    response={201: HouseholdMemberOut, 422: ErrorOut},
    summary="Add a member (one person, one household: 422 if already in another)",
)
def add_member(request: HttpRequest, pk: int, payload: HouseholdMemberIn):
    scope = _require(request, Perm.EDIT_REGISTRY)
    household = _household(request, pk)
    fields = _fields(payload, exclude={"id_number", "name", "relation", "labour_capacity"})
    # A null or empty value means "not given": the model's default applies.
    fields = {name: value for name, value in fields.items() if value not in ("", None)}
    try:
        member = services_households.do_add_member(
            request.user,
            household,
            id_number=payload.id_number,
            name=payload.name,
            relation=_value(payload.relation),
            labour_capacity=_value(payload.labour_capacity),
            **fields,
        )
    except services.RegistryError as error:
        return _error(error)
    return Status(201, _member_out(scope, member))


# Only personal-data roles see these (the edit page leaves them out for everyone else).
PERSONAL_MEMBER_FIELDS = {"health", "disability_grade"}
# Checks only (the ID number decides them): null means "not checked".
CHECKED_MEMBER_FIELDS = {"sex", "birth_date"}
# May be cleared with null.
CLEARABLE_MEMBER_FIELDS = {"education", "phone", "disability_grade"}


def _member(request: HttpRequest, household: Household, member_id: int) -> Member:
    """A member of this household (itself in scope), or 404."""
    queryset = Member.objects.select_related("person", "household").filter(household=household)
    return get_in_scope(queryset, request.scope, pk=member_id)


def _member_fields(scope: Scope, payload: MemberUpdateIn) -> dict:
    data = payload.dict(exclude_unset=True)
    if PERSONAL_MEMBER_FIELDS & set(data) and not scope.can(Perm.SEE_PERSONAL_DATA):
        raise HttpError(403, "not allowed to change health data")
    fields = {}
    for name, value in data.items():
        if value is None and name in CHECKED_MEMBER_FIELDS:
            continue
        if value is None and name not in CLEARABLE_MEMBER_FIELDS:
            raise services.RegistryError(
                "required", _("This field cannot be cleared; leave it out to keep it."), name
            )
        fields[name] = value if name in NULLABLE else _value(value)
    return fields


@router.patch(
    "/households/{pk}/members/{member_id}",
    response={200: HouseholdMemberOut, 422: ErrorOut},
    summary="Change a member (only the fields sent; the ID number may be corrected)",
)
def update_member(request: HttpRequest, pk: int, member_id: int, payload: MemberUpdateIn):
    scope = _require(request, Perm.EDIT_REGISTRY)
    member = _member(request, _household(request, pk), member_id)
    try:
        fields = _member_fields(scope, payload)
        services_households.do_update_member(request.user, member, **fields)
    except services.RegistryError as error:
        return _error(error)
    return Status(200, _member_out(scope, _member(request, member.household, member_id)))


@router.delete(
    "/households/{pk}/members/{member_id}",
    response={204: None},
    summary="Take a member out of the household (the person stays in the register)",
)
def remove_member(request: HttpRequest, pk: int, member_id: int):
    _require(request, Perm.EDIT_REGISTRY)
    member = _member(request, _household(request, pk), member_id)
    services_households.do_remove_member(request.user, member)
    return Status(204, None)


@router.get("/households/{pk}/years", response=list[YearOut], summary="Income by year")
def list_years(request: HttpRequest, pk: int):
    _require(request, Perm.VIEW)
    household = _household(request, pk)
    return list(household.years.order_by("-year"))


@router.put(
    "/households/{pk}/years/{year}",
    response={200: YearOut, 422: ErrorOut},
    summary="Write one year's income and assurances (the whole year: unset means zero)",
)
def put_year(request: HttpRequest, pk: int, year: Year, payload: YearIn):
    _require(request, Perm.EDIT_REGISTRY)
    household = _household(request, pk)
    try:
        record = services_years.do_save_household_year(
            request.user, household, year, **payload.dict()
        )
    except services.RegistryError as error:
        return _error(error)
    return Status(200, record)


@router.get("/households/{pk}/visits", response=list[VisitOut], summary="Visits, most recent first")
def list_visits(request: HttpRequest, pk: int, limit: int = Query(100, ge=1, le=1000)):
    _require(request, Perm.VIEW)
    household = _household(request, pk)
    return [_visit_out(visit) for visit in _visits(household, limit)]


@router.post(
    "/households/{pk}/visits",
    response={201: VisitOut, 422: ErrorOut},
    summary="Record a visit",
)
def record_visit(request: HttpRequest, pk: int, payload: VisitIn):
    scope = _require(request, Perm.RECORD_VISITS)
    household = _household(request, pk)
    helper = None
    if payload.helper_id is not None:
        helper = services_pairing.helpers_for(scope).filter(pk=payload.helper_id).first()
        if helper is None:
            detail = str(_("There is no such helper in your scope."))
            return Status(422, {"detail": detail, "code": "unknown_helper", "field": "helper_id"})
    try:
        visit = services_pairing.do_record_visit(
            request.user,
            household,
            visited_on=payload.visited_on or timezone.localdate(),
            findings=payload.findings,
            actions=payload.actions,
            follow_up=payload.follow_up,
            helper=helper,
        )
    except services.RegistryError as error:
        return _error(error)
    return Status(201, _visit_out(visit))
