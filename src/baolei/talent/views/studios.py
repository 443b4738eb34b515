"""Studios and the villages' service requests: the studio list and page, create, experts
and villages served; requests (made from a village on a phone), accept, deliver,
follow up and close; the open requests by age and the services per studio and village.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope
from baolei.pages import apply_error, region_names, sorted_by
from baolei.regions import codes
from baolei.regions.services import picker_roots
from baolei.talent.forms import (
    CloseForm,
    CountsForm,
    DeliveryForm,
    ExpertForm,
    FollowUpForm,
    RequestFilterForm,
    RequestForm,
    StudioForm,
    VillagesForm,
)
from baolei.talent.models import ServiceRequest, Studio
from baolei.talent.services import studios as services_studios
from baolei.talent.services import talent as services

# The request list is not paged: at most this many, oldest first.
REQUESTS_SHOWN = 500


def _studio(request: HttpRequest, pk: int) -> Studio:
    return services.get_visible(services_studios.visible_studios(request.scope), pk=pk)


def _managed_studio(request: HttpRequest, pk: int) -> Studio:
    """A studio the viewer's scope hosts; one hosted above is seen but not edited."""
    studio = _studio(request, pk)
    if not services_studios.may_manage(request.scope, studio):
        raise PermissionDenied
    return studio


def _service_request(request: HttpRequest, pk: int) -> ServiceRequest:
    queryset = services_studios.visible_requests(request.scope).select_related("studio")
    return get_in_scope(queryset, request.scope, pk=pk)


def _may_request(request: HttpRequest) -> bool:
    """Villages ask for help: the branch (edits organisation) or the first secretary
    (records visits) may file and follow up a request."""
    scope = request.scope
    return scope.can(Perm.EDIT_ORGANISATION) or scope.can(Perm.RECORD_VISITS)


# --- studios ----------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def studio_list(request: HttpRequest) -> HttpResponse:
    studios, sort = sorted_by(
        request,
        services_studios.visible_studios(request.scope),
        {
            "name": "name",
            "kind": ("kind", "name"),
            "partner": ("partner_name", "name"),
            "host": ("region_code", "name"),
        },
        "host",
    )
    page = Paginator(studios, 50).get_page(request.GET.get("page"))
    names = region_names(studio.region_code for studio in page)
    for studio in page:
        studio.host_name = names.get(studio.region_code, studio.region_code)
    context = {"page": page, "sort": sort, "can_edit": request.scope.can(Perm.EDIT_ORGANISATION)}
    return render(request, "talent/studio_list.html", context)


@require_perm(Perm.VIEW)
def studio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _studio(request, pk)
    served = list(studio.served.select_related("village").order_by("village_id"))
    requests = services_studios.visible_requests(request.scope).filter(studio=studio)
    requests = list(requests.order_by("-requested_on", "-id")[:100])
    names = region_names(r.region_code for r in requests)
    for item in requests:
        item.village_name = names.get(item.region_code, item.region_code)
    context = {
        "studio": studio,
        "host_name": region_names([studio.region_code]).get(studio.region_code, ""),
        "experts": list(studio.experts.all()),
        "served": served,
        "requests": requests,
        "counts": services_studios.service_counts(
            services_studios.visible_requests(request.scope).filter(studio=studio)
        ),
        "village_names": {link.village_id: link.village.name for link in served},
        "can_manage": request.scope.can(Perm.EDIT_ORGANISATION)
        and services_studios.may_manage(request.scope, studio),
        "can_request": _may_request(request),
    }
    for row in context["counts"]:
        row.village_name = context["village_names"].get(row.village_code) or region_names(
            [row.village_code]
        ).get(row.village_code, row.village_code)
    return render(request, "talent/studio_detail.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def studio_create(request: HttpRequest) -> HttpResponse:
    form = StudioForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            studio = services_studios.do_create_studio(request.user, **form.cleaned_data)
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Studio %(name)s created.") % {"name": studio.name})
            return redirect("talent:studio_detail", pk=studio.pk)
    context = {"form": form, "picker_roots": picker_roots(request.scope), "title": _("New studio")}
    return render(request, "talent/studio_form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def studio_villages(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _managed_studio(request, pk)
    current = " ".join(studio.served.order_by("village_id").values_list("village_id", flat=True))
    form = VillagesForm(request.POST or None, scope=request.scope, initial={"villages": current})
    if request.method == "POST" and form.is_valid():
        try:
            services_studios.do_set_villages(request.user, studio, form.cleaned_data["villages"])
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("talent:studio_detail", pk=studio.pk)
    context = {"form": form, "studio": studio, "title": _("Villages served")}
    return render(request, "talent/studio_form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def expert_create(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _managed_studio(request, pk)
    form = ExpertForm(
        request.POST or None, scope=request.scope, initial={"institution": studio.partner_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_studios.do_add_expert(request.user, studio, **form.cleaned_data)
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Expert added."))
            return redirect("talent:studio_detail", pk=studio.pk)
    context = {"form": form, "studio": studio, "title": _("New expert")}
    return render(request, "talent/studio_form.html", context)


# --- requests ---------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def request_list(request: HttpRequest) -> HttpResponse:
    """The requests not yet served, oldest first with their age; or one status."""
    form = RequestFilterForm(request.GET or None, scope=request.scope)
    status = form.cleaned_data.get("status") if form.is_bound and form.is_valid() else ""
    requests = services_studios.visible_requests(request.scope)
    today = timezone.localdate()
    if status:
        items = list(
            requests.filter(status=status)
            .select_related("studio")
            .order_by("requested_on", "id")[:REQUESTS_SHOWN]
        )
        for item in items:
            item.age_days = (today - item.requested_on).days
    else:
        items = services_studios.open_by_age(requests, today)[:REQUESTS_SHOWN]
    names = region_names(item.region_code for item in items)
    for item in items:
        item.village_name = names.get(item.region_code, item.region_code)
    items, sort = sorted_by(
        request,
        list(items),
        {
            "age": "age_days",
            "requested": ("requested_on", "pk"),
            "village": ("region_code", "requested_on"),
            "studio": ("studio.name", "requested_on"),
            "status": ("status", "requested_on"),
        },
        "-age",
    )
    context = {
        "form": form,
        "items": items,
        "sort": sort,
        "more": len(items) >= REQUESTS_SHOWN,
        "status": status,
        "can_request": _may_request(request),
    }
    return render(request, "talent/request_list.html", context)


@require_perm(Perm.VIEW)
def request_create(request: HttpRequest) -> HttpResponse:
    if not _may_request(request):
        raise PermissionDenied
    studios = list(services_studios.visible_studios(request.scope).order_by("name"))
    initial = {"requested_on": timezone.localdate(), "studio": request.GET.get("studio", "")}
    form = RequestForm(request.POST or None, scope=request.scope, studios=studios, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        studio = services.get_visible(
            services_studios.visible_studios(request.scope), pk=data.pop("studio")
        )
        try:
            created = services_studios.do_create_request(request.user, studio=studio, **data)
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Request sent to %(studio)s.") % {"studio": studio.name})
            return redirect("talent:request_detail", pk=created.pk)
    context = {"form": form, "picker_roots": picker_roots(request.scope)}
    return render(request, "talent/request_form.html", context)


@require_perm(Perm.VIEW)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _service_request(request, pk)
    today = timezone.localdate()
    context = {
        "item": item,
        "village_name": region_names([item.region_code]).get(item.region_code, ""),
        "deliveries": list(item.deliveries.prefetch_related("experts")),
        "follow_ups": list(item.follow_ups.all()),
        "delivery_form": DeliveryForm(
            scope=request.scope, studio=item.studio, initial={"delivered_on": today}
        ),
        "follow_up_form": FollowUpForm(scope=request.scope, initial={"followed_on": today}),
        "close_form": CloseForm(scope=request.scope),
        "can_act": _may_request(request),
        "age_days": (today - item.requested_on).days,
    }
    return render(request, "talent/request_detail.html", context)


def _acted(request: HttpRequest, item: ServiceRequest, form, action, success: str) -> HttpResponse:
    """Run a request's action from its form; a refusal comes back on the request's page."""
    if form.is_valid():
        try:
            action(**form.cleaned_data)
        except services.REFUSALS as error:
            apply_error(form, error)
        else:
            messages.success(request, success)
            return redirect("talent:request_detail", pk=item.pk)
    errors = [str(e) for errors in form.errors.values() for e in errors]
    for error in errors:
        messages.error(request, error)
    return redirect("talent:request_detail", pk=item.pk)


def _acting(request: HttpRequest, pk: int) -> ServiceRequest:
    item = _service_request(request, pk)
    if not _may_request(request):
        raise PermissionDenied
    return item


@require_perm(Perm.VIEW)
@require_POST
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    item = _acting(request, pk)
    try:
        services_studios.do_accept_request(request.user, item)
    except services.REFUSALS as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Request accepted."))
    return redirect("talent:request_detail", pk=item.pk)


@require_perm(Perm.VIEW)
@require_POST
def delivery_create(request: HttpRequest, pk: int) -> HttpResponse:
    item = _acting(request, pk)
    form = DeliveryForm(request.POST, scope=request.scope, studio=item.studio)

    def action(**data):
        services_studios.do_record_delivery(request.user, item, **data)

    return _acted(request, item, form, action, _("Service recorded."))


@require_perm(Perm.VIEW)
@require_POST
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    item = _acting(request, pk)
    form = FollowUpForm(request.POST, scope=request.scope)

    def action(**data):
        services_studios.do_add_follow_up(request.user, item, **data)

    return _acted(request, item, form, action, _("Follow-up recorded."))


@require_perm(Perm.VIEW)
@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    item = _acting(request, pk)
    form = CloseForm(request.POST, scope=request.scope)

    def action(**data):
        services_studios.do_close_request(request.user, item, note=data["note"])

    return _acted(request, item, form, action, _("Request closed."))


@require_perm(Perm.VIEW)
def service_counts(request: HttpRequest) -> HttpResponse:
    """Per studio and village: requests, services delivered and people reached."""
    form = CountsForm(request.GET or None, scope=request.scope)
    if form.is_bound and not form.is_valid():
        raise Http404
    requests = services_studios.visible_requests(request.scope)
    region = form.cleaned_data.get("region") if form.is_bound else ""
    if region:
        requests = requests.filter(codes.within("region_code", region))
    rows = services_studios.service_counts(requests)
    names = region_names(row.village_code for row in rows)
    for row in rows:
        row.village_name = names.get(row.village_code, row.village_code)
    return render(request, "talent/service_counts.html", {"rows": rows, "region": region})
