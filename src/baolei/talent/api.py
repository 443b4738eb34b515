"""The talent API under /api/talent/: the talent pool and its steps, studios, service
requests, courses and enrolments.

Scoped exactly like the pages: a record outside the caller's scope answers 404, lists
hold only the scope's records, a missing permission answers 403, ID numbers are masked
unless the role may see personal data. Writes go through the services; a refusal
answers 422 with the field at fault.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.bounds import Count, Offset, PositiveCount, Year
from baolei.regions.models import Region
from baolei.registry.services import shown_id_number
from baolei.talent.choices import RequestStatus, Satisfaction, Skill, Source, Stage, StudioKind
from baolei.talent.models import Course, Enrolment, ServiceRequest, Studio, Talent, TalentStep
from baolei.talent.services import studios as services_studios
from baolei.talent.services import talent as services
from baolei.talent.services import training as services_training

router = Router(tags=["talent"])
MAX_LIMIT = 500


# --- schemas -----------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class TalentStepOut(Schema):
    id: int
    stage: Stage
    taken_on: datetime.date
    what: str
    recorded_by: str


class TalentOut(Schema):
    id: int
    person_id: int
    name: str
    id_number: str = Field(description="Masked unless the role may see personal data.")
    village_code: str
    source: Source
    skills: list[str]
    skill_notes: str
    occupation: str
    stage: Stage


class TalentDetailOut(TalentOut):
    steps: list[TalentStepOut]


class TalentPageOut(Schema):
    items: list[TalentOut]
    count: int


class TalentIn(StrictSchema):
    id_number: str
    name: str
    village_code: str
    source: Source
    identified_on: datetime.date
    how_identified: str
    skills: list[Skill] = Field(default_factory=list)
    skill_notes: str = ""
    occupation: str = ""
    phone: str = ""


class TalentStepIn(StrictSchema):
    stage: Stage
    taken_on: datetime.date
    what: str


class TalentFiltersIn(Schema):
    region: str | None = Field(None, description="A region code within the scope.")
    source: Source | None = None
    skill: Skill | None = None
    stage: Stage | None = None
    q: str | None = Field(None, description="A name prefix or a whole ID number.")
    offset: Offset = 0
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


class ExpertOut(Schema):
    id: int
    name: str
    title: str
    institution: str
    speciality: str


class StudioOut(Schema):
    id: int
    name: str
    kind: StudioKind
    region_code: str
    partner_name: str
    partner_kind: str
    established_on: datetime.date | None


class StudioDetailOut(StudioOut):
    description: str
    experts: list[ExpertOut]
    villages: list[str]


class RequestOut(Schema):
    id: int
    studio_id: int
    village_code: str
    requested_on: datetime.date
    need: str
    contact: str
    status: RequestStatus
    status_since: datetime.date
    closing_note: str


class RequestIn(StrictSchema):
    studio_id: int
    village_code: str
    need: str
    requested_on: datetime.date | None = None
    contact: str = ""


class RequestStatusIn(StrictSchema):
    """The next status. `delivered` records a service (work_done, people_reached,
    expert_ids); `closed` before any delivery needs a note; a follow-up may come with
    any status once something was delivered."""

    status: RequestStatus
    on: datetime.date | None = Field(None, description="Default: today.")
    note: str = ""
    work_done: str = ""
    people_reached: Count = 0
    expert_ids: list[int] = Field(default_factory=list)
    satisfaction: Satisfaction | None = None


class CourseOut(Schema):
    id: int
    code: str
    title: str
    subject: Skill
    organiser: str
    region_code: str
    starts_on: datetime.date
    ends_on: datetime.date
    capacity: int
    hours: int


class CourseIn(StrictSchema):
    code: str
    title: str
    subject: Skill
    organiser: str
    region_code: str
    starts_on: datetime.date
    ends_on: datetime.date
    capacity: PositiveCount
    hours: PositiveCount


class EnrolmentOut(Schema):
    id: int
    course_id: int
    person_id: int
    name: str
    id_number: str = Field(description="Masked unless the role may see personal data.")
    village_code: str
    enrolled_on: datetime.date
    hours_attended: int | None
    passed: bool | None
    certificate_number: str
    certificate_issued_on: datetime.date | None


class EnrolIn(StrictSchema):
    id_number: str
    name: str
    village_code: str
    enrolled_on: datetime.date | None = None


class CompletionIn(StrictSchema):
    hours_attended: Count | None = None
    passed: bool | None = None
    certificate_number: str = ""
    certificate_issued_on: datetime.date | None = None


# --- helpers -----------------------------------------------------------------------------


def _require(request: HttpRequest, perm: Perm) -> Scope:
    if not request.scope.can(perm):
        raise HttpError(403, "not allowed")
    return request.scope


def _error(error) -> Status:
    return Status(422, {"detail": str(error.message), "code": error.code, "field": error.field})


def _talent_out(scope: Scope, talent: Talent) -> dict:
    return {
        "id": talent.pk,
        "person_id": talent.person_id,
        "name": talent.person.name,
        "id_number": shown_id_number(scope, talent.person.id_number),
        "village_code": talent.region_code,
        "source": talent.source,
        "skills": talent.skill_codes,
        "skill_notes": talent.skill_notes,
        "occupation": talent.occupation,
        "stage": talent.stage,
    }


def _request_out(item: ServiceRequest) -> dict:
    return {
        "id": item.pk,
        "studio_id": item.studio_id,
        "village_code": item.region_code,
        "requested_on": item.requested_on,
        "need": item.need,
        "contact": item.contact,
        "status": item.status,
        "status_since": item.status_since,
        "closing_note": item.closing_note,
    }


def _enrolment_out(scope: Scope, enrolment: Enrolment) -> dict:
    return {
        "id": enrolment.pk,
        "course_id": enrolment.course_id,
        "person_id": enrolment.person_id,
        "name": enrolment.person.name,
        "id_number": shown_id_number(scope, enrolment.person.id_number),
        "village_code": enrolment.region_code,
        "enrolled_on": enrolment.enrolled_on,
        "hours_attended": enrolment.hours_attended,
        "passed": enrolment.passed,
        "certificate_number": enrolment.certificate_number,
        "certificate_issued_on": enrolment.certificate_issued_on,
    }


def _talent(request: HttpRequest, pk: int) -> Talent:
    return get_in_scope(Talent.objects.select_related("person"), request.scope, pk=pk)


def _may_request(scope: Scope) -> Scope:
    if not (scope.can(Perm.EDIT_ORGANISATION) or scope.can(Perm.RECORD_VISITS)):
        raise HttpError(403, "not allowed")
    return scope


# --- talent ------------------------------------------------------------------------------


@router.get("/people", response=TalentPageOut, summary="Talent in scope, filtered")
def list_talent(request: HttpRequest, filters: Query[TalentFiltersIn]):
    scope = _require(request, Perm.VIEW)
    if filters.region:
        get_in_scope(Region.objects.all(), scope, code=filters.region)
    queryset = services.filter_talent(
        scoped(Talent.objects.select_related("person"), scope),
        services.TalentFilters(
            region=filters.region,
            source=filters.source,
            skill=filters.skill,
            stage=filters.stage,
            search=filters.q,
        ),
    ).order_by("region_code", "person__name", "pk")
    items = queryset[filters.offset : filters.offset + filters.limit]
    return {"items": [_talent_out(scope, t) for t in items], "count": queryset.count()}


@router.get("/people/{pk}", response=TalentDetailOut, summary="One person of the pool, with steps")
def get_talent(request: HttpRequest, pk: int):
    scope = _require(request, Perm.VIEW)
    talent = _talent(request, pk)
    steps = TalentStep.objects.filter(talent=talent).order_by("taken_on", "id")
    return {**_talent_out(scope, talent), "steps": list(steps)}


@router.post(
    "/people", response={201: TalentOut, 422: ErrorOut}, summary="Add a person, identified"
)
def create_talent(request: HttpRequest, payload: TalentIn):
    scope = _require(request, Perm.EDIT_ORGANISATION)
    data = payload.dict()
    data["skills"] = [str(skill) for skill in data["skills"]]
    try:
        talent = services.do_create_talent(request.user, **data)
    except services.REFUSALS as error:
        return _error(error)
    return Status(201, _talent_out(scope, talent))


@router.post(
    "/people/{pk}/steps",
    response={201: TalentStepOut, 422: ErrorOut},
    summary="Record a step of identify, cultivate, use",
)
def add_step(request: HttpRequest, pk: int, payload: TalentStepIn):
    _require(request, Perm.EDIT_ORGANISATION)
    talent = _talent(request, pk)
    try:
        step = services.do_add_step(request.user, talent, **payload.dict())
    except services.REFUSALS as error:
        return _error(error)
    return Status(201, step)


# --- studios and requests ----------------------------------------------------------------


@router.get("/studios", response=list[StudioOut], summary="Studios hosted in scope or above")
def list_studios(request: HttpRequest):
    scope = _require(request, Perm.VIEW)
    return list(services_studios.visible_studios(scope).order_by("region_code", "name")[:1000])


@router.get("/studios/{pk}", response=StudioDetailOut, summary="A studio, its experts and villages")
def get_studio(request: HttpRequest, pk: int):
    scope = _require(request, Perm.VIEW)
    studio: Studio = services.get_visible(services_studios.visible_studios(scope), pk=pk)
    return {
        **{name: getattr(studio, name) for name in StudioOut.model_fields},
        "description": studio.description,
        "experts": list(studio.experts.all()),
        "villages": list(studio.served.order_by("village_id").values_list("village_id", flat=True)),
    }


@router.get("/requests", response=list[RequestOut], summary="Service requests seen in scope")
def list_requests(
    request: HttpRequest,
    status: RequestStatus | None = None,
    offset: Offset = 0,
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    scope = _require(request, Perm.VIEW)
    queryset = services_studios.visible_requests(scope).order_by("requested_on", "id")
    if status:
        queryset = queryset.filter(status=status)
    return [_request_out(item) for item in queryset[offset : offset + limit]]


@router.post(
    "/requests", response={201: RequestOut, 422: ErrorOut}, summary="A village asks a studio"
)
def create_request(request: HttpRequest, payload: RequestIn):
    scope = _may_request(_require(request, Perm.VIEW))
    data = payload.dict()
    studio = services.get_visible(services_studios.visible_studios(scope), pk=data.pop("studio_id"))
    try:
        item = services_studios.do_create_request(request.user, studio=studio, **data)
    except services.REFUSALS as error:
        return _error(error)
    return Status(201, _request_out(item))


@router.post(
    "/requests/{pk}/status",
    response={200: RequestOut, 422: ErrorOut},
    summary="Move a request on: accepted, delivered (with the service) or closed",
)
def update_request_status(request: HttpRequest, pk: int, payload: RequestStatusIn):
    scope = _may_request(_require(request, Perm.VIEW))
    queryset = services_studios.visible_requests(scope).select_related("studio")
    item = get_in_scope(queryset, scope, pk=pk)
    actor = request.user
    try:
        if payload.status == RequestStatus.ACCEPTED:
            item = services_studios.do_accept_request(actor, item, payload.on)
        elif payload.status == RequestStatus.DELIVERED:
            services_studios.do_record_delivery(
                actor,
                item,
                delivered_on=payload.on or timezone.localdate(),
                work_done=payload.work_done,
                people_reached=payload.people_reached,
                experts=payload.expert_ids,
            )
        elif payload.status == RequestStatus.CLOSED:
            item = services_studios.do_close_request(actor, item, on=payload.on, note=payload.note)
        else:
            raise services.TalentError(
                "bad_transition", _("A request cannot become open again."), field="status"
            )
        if payload.satisfaction:
            services_studios.do_add_follow_up(
                actor,
                item,
                followed_on=payload.on or timezone.localdate(),
                note=payload.note or str(Satisfaction(payload.satisfaction).label),
                satisfaction=payload.satisfaction,
            )
    except services.REFUSALS as error:
        return _error(error)
    item.refresh_from_db()
    return _request_out(item)


# --- training ----------------------------------------------------------------------------


@router.get("/courses", response=list[CourseOut], summary="Courses hosted in scope or above")
def list_courses(request: HttpRequest, year: Year | None = None):
    scope = _require(request, Perm.VIEW)
    courses = services_training.visible_courses(scope)
    if year:
        courses = courses.filter(starts_on__year=year)
    return list(courses.order_by("-starts_on", "code")[:1000])


@router.post("/courses", response={201: CourseOut, 422: ErrorOut}, summary="Create a course")
def create_course(request: HttpRequest, payload: CourseIn):
    _require(request, Perm.EDIT_ORGANISATION)
    try:
        course = services_training.do_create_course(request.user, **payload.dict())
    except services.REFUSALS as error:
        return _error(error)
    return Status(201, course)


def _course(scope: Scope, pk: int) -> Course:
    return services.get_visible(services_training.visible_courses(scope), pk=pk)


@router.get(
    "/courses/{pk}/enrolments", response=list[EnrolmentOut], summary="A course's enrolments"
)
def list_enrolments(request: HttpRequest, pk: int):
    scope = _require(request, Perm.VIEW)
    course = _course(scope, pk)
    enrolments = services_training.visible_enrolments(scope).filter(course=course)
    enrolments = enrolments.select_related("person").order_by("region_code", "id")
    return [_enrolment_out(scope, enrolment) for enrolment in enrolments]


@router.post(
    "/courses/{pk}/enrolments",
    response={201: EnrolmentOut, 422: ErrorOut},
    summary="Enrol a person on a course",
)
def enrol(request: HttpRequest, pk: int, payload: EnrolIn):
    scope = _require(request, Perm.EDIT_ORGANISATION)
    course = _course(scope, pk)
    try:
        enrolment = services_training.do_enrol(request.user, course, **payload.dict())
    except services.REFUSALS as error:
        return _error(error)
    return Status(201, _enrolment_out(scope, enrolment))


@router.put(
    "/enrolments/{pk}/completion",
    response={200: EnrolmentOut, 422: ErrorOut},
    summary="Record hours attended, the pass and the certificate",
)
def record_completion(request: HttpRequest, pk: int, payload: CompletionIn):
    scope = _require(request, Perm.EDIT_ORGANISATION)
    queryset = services_training.visible_enrolments(scope).select_related("person", "course")
    enrolment = services.get_visible(queryset, pk=pk)
    try:
        enrolment = services_training.do_record_completion(
            request.user, enrolment, **payload.dict()
        )
    except services.REFUSALS as error:
        return _error(error)
    return _enrolment_out(scope, enrolment)
