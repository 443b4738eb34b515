"""The dashboard's panels. The region pages (`regions`, below every other app) load them
by htmx, so that the figures read from the register, the organisation and the cadres
never make the bottom app depend on the apps built on it."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope
from baolei.dashboard.services.todo import todo_for
from baolei.dashboard.services.village import village_summary
from baolei.regions.models import Region


@require_GET
@require_perm(Perm.VIEW)
def village(request: HttpRequest, code: str) -> HttpResponse:
    """A village's figures, each a link to the list it counts; 404 outside the scope."""
    region = get_in_scope(Region.objects.all(), request.scope, code=code)
    if not region.is_village:
        raise Http404
    context = {"village": village_summary(request.scope, region.code), "region": region}
    # The village page loads the figures by htmx; a link followed by hand gets a page.
    template = (
        "dashboard/village.html"
        if request.headers.get("HX-Request") == "true"
        else "dashboard/village_page.html"
    )
    return render(request, template, context)


@require_GET
@require_perm(Perm.VIEW)
def todo(request: HttpRequest) -> HttpResponse:
    """What needs action in the user's scope today, each a count and a link to its list."""
    context = {"items": todo_for(request.scope, request.user)}
    # The home page loads the to-do by htmx; a link followed by hand gets a page.
    template = (
        "dashboard/todo.html"
        if request.headers.get("HX-Request") == "true"
        else "dashboard/todo_page.html"
    )
    return render(request, template, context)
