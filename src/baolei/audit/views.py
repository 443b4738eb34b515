from django.apps import apps
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, scoped
from baolei.audit import presenting
from baolei.audit.models import Action, AuditEvent
from baolei.regions import codes


def restricted_models(scope: Scope) -> list[str]:
    """Object types whose events this viewer may not read: a model that holds what only
    some roles may see names the permission as `audit_permission` (a disciplinary record:
    VIEW_DISCIPLINE). The whole event is left out, not just its values, because its mere
    existence and its object name already tell that a cadre was sanctioned."""
    return [
        model._meta.label_lower
        for model in apps.get_models()
        if getattr(model, "audit_permission", None) and not scope.can(model.audit_permission)
    ]


@require_GET
@require_perm(Perm.VIEW_AUDIT)
def event_list(request: HttpRequest) -> HttpResponse:
    """The audit trail of the viewer's scope. Read-only: there is no edit or delete path."""
    events = scoped(AuditEvent.objects.all(), request.scope)
    hidden = restricted_models(request.scope)
    if hidden:
        events = events.exclude(model__in=hidden)
    filters = {
        "action": request.GET.get("action", ""),
        "actor": request.GET.get("actor", "").strip(),
        "model": request.GET.get("model", "").strip(),
        "region": request.GET.get("region", "").strip(),
    }
    if filters["action"]:
        events = events.filter(action=filters["action"])
    if filters["actor"]:
        events = events.filter(actor_name__icontains=filters["actor"])
    if filters["model"]:
        events = events.filter(model=filters["model"])
    if filters["region"].isdigit():
        events = events.filter(codes.within("region_code", filters["region"][:12]))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    picker = presenting.audited_models(hidden)
    listed = {label for _, entries in picker for label, _ in entries}
    if filters["model"] and filters["model"] not in listed and filters["model"] not in hidden:
        # A bulk event's type (regions, village populations) is not in the register:
        # keep the filter the link came with selectable.
        picker.append(("", [(filters["model"], presenting.model_name(filters["model"]))]))
    return render(
        request,
        "audit/event_list.html",
        {
            "page": page,
            "rows": presenting.present(page, request.scope),
            "filters": filters,
            "actions": Action.choices,
            "models": picker,
        },
    )
