"""Expert studios (农业专家工作室, 名师工作室, 名医工作室), the villages they serve, and the
villages' service requests: open → accepted → delivered → closed, with the services
delivered and their follow-up.

Who sees what: a studio is hosted by a county or township, and the villages below ask it
for help, so a studio is visible within its host's scope and to the regions below the
host (as the register's helpers are). A request belongs to the village that asked and is
seen there and by the studio's host.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, scoped
from baolei.messages import lazy_format
from baolei.regions import codes
from baolei.talent.choices import InstitutionKind, RequestStatus, Satisfaction, StudioKind
from baolei.talent.models import (
    Expert,
    FollowUp,
    ServedVillage,
    ServiceDelivery,
    ServiceRequest,
    Studio,
)
from baolei.talent.services.talent import (
    TalentError,
    actor_name,
    check_date,
    check_in_scope,
    choice,
    host_region,
    optional_text,
    required_text,
    village,
)

# The life cycle of a request: what each status may move to. A delivered request may get
# further deliveries; closing an open or accepted one needs a reason (withdrawn,
# declined, solved otherwise).
TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.OPEN: frozenset({RequestStatus.ACCEPTED, RequestStatus.CLOSED}),
    RequestStatus.ACCEPTED: frozenset({RequestStatus.DELIVERED, RequestStatus.CLOSED}),
    RequestStatus.DELIVERED: frozenset({RequestStatus.DELIVERED, RequestStatus.CLOSED}),
    RequestStatus.CLOSED: frozenset(),
}


# --- visibility -------------------------------------------------------------------------


def visible_studios(scope: Scope) -> QuerySet[Studio]:
    """Studios hosted in the scope, and those hosted by the regions above it: a county
    studio serves every township, whose officers must find it to ask for help."""
    if scope.empty:
        return Studio.objects.none()
    if scope.region_code is None:
        return Studio.objects.all()
    above = codes.ancestors_of(scope.region_code)
    return Studio.objects.filter(scope.q("region_code") | Q(region_code__in=above))


def visible_requests(scope: Scope) -> QuerySet[ServiceRequest]:
    """Requests of the villages in scope. A studio serves only villages below its host,
    so these are also all the requests to the studios hosted in scope."""
    return scoped(ServiceRequest.objects.all(), scope)


def may_manage(scope: Scope | None, studio: Studio) -> bool:
    """Only the host's scope edits a studio (its experts, its villages)."""
    return scope is None or scope.contains(studio.region_code)


# --- studios ----------------------------------------------------------------------------


def _villages(codes_: Iterable[str], actor) -> list[str]:
    found = []
    for code in dict.fromkeys(str(code).strip() for code in codes_ if str(code).strip()):
        found.append(village(code, actor, field="villages").code)
    return found


def _check_serves_below(studio: Studio, villages: list[str]) -> None:
    outside = [code for code in villages if not codes.contains(studio.region_code, code)]
    if outside:
        raise TalentError(
            "village_outside_host",
            lazy_format(
                _("The village %(code)s is not in the studio's host region."), code=outside[0]
            ),
            field="villages",
        )


@transaction.atomic
def do_create_studio(
    actor,
    *,
    name: str,
    kind: str,
    region_code: str,
    partner_name: str,
    partner_kind: str,
    established_on: datetime.date | None = None,
    description: str = "",
    villages: Iterable[str] = (),
) -> Studio:
    studio = Studio(
        name=required_text(name, "name", 120),
        kind=choice(kind, StudioKind, "kind"),
        region_code=host_region(region_code, actor).code,
        partner_name=required_text(partner_name, "partner_name", 120),
        partner_kind=choice(partner_kind, InstitutionKind, "partner_kind"),
        established_on=(check_date(established_on, "established_on") if established_on else None),
        description=(description or "").strip(),
    )
    served = _villages(villages, actor)
    _check_serves_below(studio, served)
    if Studio.objects.filter(region_code=studio.region_code, name=studio.name).exists():
        raise TalentError(
            "duplicate_studio",
            lazy_format(_("There is already a studio called %(name)s here."), name=studio.name),
            field="name",
        )
    studio.save()
    for code in served:
        ServedVillage.objects.create(studio=studio, village_id=code)
    return studio


@transaction.atomic
def do_set_villages(actor, studio: Studio, villages: Iterable[str]) -> list[str]:
    """The villages the studio serves, replaced by these."""
    check_in_scope(actor, studio.region_code, "villages")
    served = _villages(villages, actor)
    _check_serves_below(studio, served)
    current = set(studio.served.values_list("village_id", flat=True))
    for link in studio.served.exclude(village_id__in=served):
        link.delete()  # one by one, so that each removal is audited
    for code in served:
        if code not in current:
            ServedVillage.objects.create(studio=studio, village_id=code)
    return served


@transaction.atomic
def do_add_expert(
    actor,
    studio: Studio,
    *,
    name: str,
    title: str = "",
    institution: str = "",
    speciality: str = "",
    phone: str = "",
) -> Expert:
    check_in_scope(actor, studio.region_code, "name")
    return Expert.objects.create(
        studio=studio,
        name=required_text(name, "name", 64),
        title=optional_text(title, "title", 64),
        institution=optional_text(institution, "institution", 120) or studio.partner_name,
        speciality=optional_text(speciality, "speciality", 120),
        phone=optional_text(phone, "phone", 32),
    )


# --- requests ---------------------------------------------------------------------------


@transaction.atomic
def do_create_request(
    actor,
    *,
    studio: Studio,
    village_code: str,
    need: str,
    requested_on: datetime.date | None = None,
    contact: str = "",
) -> ServiceRequest:
    """A village asks a studio that serves it."""
    region = village(village_code, actor)
    requested_on = check_date(requested_on or timezone.localdate(), "requested_on")
    if not studio.served.filter(village_id=region.code).exists():
        raise TalentError(
            "not_served",
            lazy_format(
                _("%(studio)s does not serve %(village)s."), studio=studio.name, village=region.name
            ),
            field="studio",
        )
    return ServiceRequest.objects.create(
        studio=studio,
        region_code=region.code,
        requested_on=requested_on,
        need=required_text(need, "need", 2000),
        contact=optional_text(contact, "contact", 100),
        status=RequestStatus.OPEN,
        status_since=requested_on,
        created_by=actor_name(actor),
    )


def _locked(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().select_related("studio").get(pk=request.pk)


def _move(request: ServiceRequest, to: str, on: datetime.date) -> None:
    if to not in TRANSITIONS[request.status]:
        raise TalentError(
            "bad_transition",
            lazy_format(
                _("A request that is %(current)s cannot become %(target)s."),
                current=RequestStatus(request.status).label,
                target=RequestStatus(to).label,
            ),
            field="status",
        )
    if request.status != to:
        request.status = to
        request.status_since = on
        request.save(update_fields=["status", "status_since", "closing_note"])


@transaction.atomic
def do_accept_request(
    actor, request: ServiceRequest, on: datetime.date | None = None
) -> ServiceRequest:
    request = _locked(request)
    on = check_date(on or timezone.localdate(), "on", not_before=request.requested_on)
    _move(request, RequestStatus.ACCEPTED, on)
    return request


@transaction.atomic
def do_record_delivery(
    actor,
    request: ServiceRequest,
    *,
    delivered_on: datetime.date | None,
    work_done: str,
    people_reached: int = 0,
    experts: Iterable[Expert | int] = (),
) -> ServiceDelivery:
    """The service delivered; the request becomes delivered (again, for a further one)."""
    request = _locked(request)
    delivered_on = check_date(delivered_on, "delivered_on", not_before=request.requested_on)
    if people_reached is None or people_reached < 0:
        raise TalentError(
            "negative", _("The number of people cannot be negative."), field="people_reached"
        )
    expert_ids = [getattr(expert, "pk", expert) for expert in experts]
    chosen = list(Expert.objects.filter(studio=request.studio, pk__in=expert_ids))
    if len(chosen) != len(set(expert_ids)):
        raise TalentError(
            "unknown_expert", _("Choose experts of this studio only."), field="experts"
        )
    _move(request, RequestStatus.DELIVERED, delivered_on)
    delivery = ServiceDelivery.objects.create(
        request=request,
        delivered_on=delivered_on,
        work_done=required_text(work_done, "work_done", 2000),
        people_reached=people_reached,
        recorded_by=actor_name(actor),
    )
    delivery.experts.set(chosen)
    return delivery


@transaction.atomic
def do_add_follow_up(
    actor,
    request: ServiceRequest,
    *,
    followed_on: datetime.date | None,
    note: str,
    satisfaction: str = "",
) -> FollowUp:
    """A follow-up is of a service delivered: there must be one to follow up."""
    request = _locked(request)
    first = request.deliveries.order_by("delivered_on").values_list("delivered_on", flat=True)
    first = first.first()
    if first is None:
        raise TalentError(
            "nothing_delivered",
            _("Nothing has been delivered yet: there is nothing to follow up."),
            field="note",
        )
    if satisfaction:
        choice(satisfaction, Satisfaction, "satisfaction")
    return FollowUp.objects.create(
        request=request,
        followed_on=check_date(followed_on, "followed_on", not_before=first),
        note=required_text(note, "note", 2000),
        satisfaction=satisfaction or "",
        recorded_by=actor_name(actor),
    )


@transaction.atomic
def do_close_request(
    actor, request: ServiceRequest, *, on: datetime.date | None = None, note: str = ""
) -> ServiceRequest:
    """Close a request. One closed before any delivery needs a reason."""
    request = _locked(request)
    on = check_date(on or timezone.localdate(), "on", not_before=request.status_since)
    if request.status != RequestStatus.DELIVERED and not (note or "").strip():
        raise TalentError(
            "reason_required",
            _("Say why the request is closed without a service delivered."),
            field="note",
        )
    request.closing_note = optional_text(note, "note", 200)
    _move(request, RequestStatus.CLOSED, on)
    return request


# --- lists ------------------------------------------------------------------------------


def open_by_age(requests: QuerySet[ServiceRequest], today: datetime.date) -> list[ServiceRequest]:
    """Requests not yet served (open or accepted), oldest first, each with its age in days."""
    waiting = requests.filter(status__in=[RequestStatus.OPEN, RequestStatus.ACCEPTED])
    found = list(waiting.select_related("studio").order_by("requested_on", "id"))
    for request in found:
        request.age_days = (today - request.requested_on).days
    return found


@dataclass
class ServiceCount:
    studio_id: int
    studio_name: str
    village_code: str
    requests: int = 0
    deliveries: int = 0
    people_reached: int = 0


def service_counts(requests: QuerySet[ServiceRequest]) -> list[ServiceCount]:
    """Per studio and village: requests made, services delivered, people reached."""
    rows: dict[tuple[int, str], ServiceCount] = {}
    for row in requests.values("studio_id", "studio__name", "region_code").annotate(n=Count("pk")):
        key = (row["studio_id"], row["region_code"])
        rows[key] = ServiceCount(
            row["studio_id"], row["studio__name"], row["region_code"], row["n"]
        )
    deliveries = (
        ServiceDelivery.objects.filter(request__in=requests.values("pk"))
        .values("request__studio_id", "request__region_code")
        .annotate(n=Count("pk"), people=Sum("people_reached"))
    )
    for row in deliveries:
        key = (row["request__studio_id"], row["request__region_code"])
        if key in rows:
            rows[key].deliveries = row["n"]
            rows[key].people_reached = row["people"] or 0
    return sorted(rows.values(), key=lambda r: (r.studio_name, r.studio_id, r.village_code))
