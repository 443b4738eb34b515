from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_tasks.exceptions import TaskResultDoesNotExist

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.regions import services
from baolei.regions.forms import ReloadRegionsForm
from baolei.regions.models import Region
from baolei.regions.tasks import load_regions_task


def _get_region_for_user(request: HttpRequest, code: str) -> Region:
    """A region in the user's scope, else 404 (the same as a code that does not exist)."""
    return get_in_scope(Region.objects.all(), request.scope, code=code)


def _breadcrumbs(request: HttpRequest, region: Region | None) -> list[Region]:
    """Ancestors the user may open, then the region itself."""
    if region is None:
        return []
    codes = [c for c in region.ancestor_codes() if request.scope.contains(c)]
    return [*Region.objects.filter(code__in=codes).order_by("code"), region]


def _region_page(
    request: HttpRequest, region: Region | None, show_todo: bool = False
) -> HttpResponse:
    visible = scoped(Region.objects.all(), request.scope)
    children = services.children_with_counts(region, visible)
    context = {
        "region": region,
        "breadcrumbs": _breadcrumbs(request, region),
        "children": children,
        "village_total": sum(child["villages"] for child in children),
        # The home page opens with the user's to-do, served by the dashboard (above us).
        "show_todo": show_todo,
    }
    return render(request, "regions/region_detail.html", context)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's own scope: its name, level, children with counts, drill-down links."""
    if request.scope.empty:
        return render(request, "regions/no_scope.html")
    region = (
        None
        if request.scope.is_national
        else _get_region_for_user(request, request.scope.region_code)
    )
    return _region_page(request, region, show_todo=True)


@require_perm(Perm.VIEW)
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _region_page(request, _get_region_for_user(request, code))


@require_perm(Perm.VIEW)
def picker_children(request: HttpRequest) -> HttpResponse:
    """HTMX: the options of the next select in the cascade, for the chosen parent."""
    parent = request.GET.get("region_parent", "").strip()
    if parent:
        region = _get_region_for_user(request, parent)
        children = scoped(Region.objects.children_of(region.code), request.scope)
    elif request.scope.is_national:
        children = Region.objects.filter(level=1)
    else:
        children = Region.objects.none()
    return render(request, "regions/_picker_options.html", {"children": children, "parent": parent})


@require_perm(Perm.VIEW)
def picker_search(request: HttpRequest) -> HttpResponse:
    """HTMX: regions in scope whose name or code matches what is typed."""
    text = request.GET.get("region_search", "")
    matches = services.search(scoped(Region.objects.all(), request.scope), text, limit=15)
    target = request.GET.get("target", "")
    return render(
        request, "regions/_picker_results.html", {"matches": matches, "q": text, "target": target}
    )


@require_perm(Perm.MANAGE_REFERENCE_DATA)
def reload_regions(request: HttpRequest) -> HttpResponse:
    """Queue a reload of the division codes for the background worker."""
    form = ReloadRegionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        only = form.cleaned_data["only"] or None
        job = load_regions_task.enqueue(only, request.user.pk, request.user.get_username())
        return redirect("regions:reload_job", job_id=job.id)
    return render(request, "regions/reload.html", {"form": form})


@require_perm(Perm.MANAGE_REFERENCE_DATA)
def reload_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job's state; the page polls this (HTMX) until the worker has finished."""
    try:
        job = load_regions_task.get_result(job_id)
    except (TaskResultDoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error
    polled = request.headers.get("HX-Request") == "true"
    template = "regions/_reload_job.html" if polled else "regions/reload_job.html"
    return render(request, template, {"job": job, "finished": job.is_finished})


@require_perm(Perm.VIEW)
def browse(request: HttpRequest) -> HttpResponse:
    """Find any region in scope by name or code, or walk the cascade. The search box shares
    its parameter with the picker's, whose live results it shows."""
    text = request.GET.get("region_search", "")
    matches = services.search(scoped(Region.objects.all(), request.scope), text, limit=50)
    root = (
        None
        if request.scope.is_national
        else _get_region_for_user(request, request.scope.region_code)
    )
    return render(request, "regions/browse.html", {"matches": matches, "q": text, "root": root})
