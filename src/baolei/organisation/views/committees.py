"""The two committees' pages: the composition of a region's committees with drill-down,
a village's posts, terms and elections, and the forms to record them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baolei import idnumbers
from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.organisation.choices import SECRETARY_POSTS, CommitteePostKind
from baolei.organisation.forms.organisations import (
    CommitteePostForm,
    ElectionForm,
    EndForm,
    RegionFilterForm,
)
from baolei.organisation.models import CommitteePost, Election, PartyMember
from baolei.organisation.services import committees as services
from baolei.organisation.services import composition as committees
from baolei.organisation.services.common import OrganisationError
from baolei.organisation.views.organisations import _show_person, checked_filter_form
from baolei.pages import apply_error, drill_down, sorted_by
from baolei.regions.models import Level, Region


def _village(request: HttpRequest, code: str) -> Region:
    return get_in_scope(Region.objects.filter(level=Level.VILLAGE), request.scope, code=code)


@require_perm(Perm.VIEW)
def composition(request: HttpRequest) -> HttpResponse:
    """The indicators of the region and of each region one level below; at a township,
    its villages with their secretary and chair."""
    form = checked_filter_form(request, RegionFilterForm)
    region = (form.cleaned_data.get("region") if form.is_bound else "") or request.scope.region_code
    today = timezone.localdate()
    table = committees.composition(request.scope, region, today)
    crumbs, _children = drill_down(request, region)
    villages, sort = None, None
    if region and len(region) == 9:
        villages, sort = sorted_by(
            request,
            _township_villages(request, region, today),
            {
                "village": "code",
                "secretary": ("heads.secretary", "code"),
                "chair": ("heads.chair", "code"),
            },
            "village",
        )
    context = {
        "table": table,
        "crumbs": crumbs,
        "villages": villages,
        "sort": sort,
        "today": today,
        "bands": ["≤35", "36–50", "51–60", ">60"],
    }
    return render(request, "organisation/composition.html", context)


def _township_villages(request: HttpRequest, township: str, today) -> list:
    """Each village of the township with the holders of its secretary and chair posts."""
    villages = list(scoped(Region.objects.children_of(township), request.scope).order_by("code"))
    heads: dict[str, dict] = {}
    posts = (
        CommitteePost.objects.filter(region_code__startswith=township)
        .filter(committees.current_posts(today))
        .filter(kind__in=[*SECRETARY_POSTS, CommitteePostKind.CHAIR])
        .select_related("person")
    )
    for post in scoped(posts, request.scope):
        entry = heads.setdefault(post.region_code, {})
        if post.kind in SECRETARY_POSTS:
            entry["secretary"] = post.person.name
        if post.kind in (CommitteePostKind.CHAIR, CommitteePostKind.SECRETARY_AND_CHAIR):
            entry["chair"] = post.person.name
    for village in villages:
        village.heads = heads.get(village.code, {})
    return villages


@require_perm(Perm.VIEW)
def village_committees(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    today = timezone.localdate()
    posts = list(committees.village_posts(village.code, today))
    members = set(
        PartyMember.objects.filter(person__in=[p.person_id for p in posts]).values_list(
            "person_id", flat=True
        )
    )
    for post in posts:
        _show_person(request.scope, post.person)
        post.age = idnumbers.age_on(post.person.birth_date, today)
        post.party_member = post.person_id in members
    context = {
        "village": village,
        "current": [p for p in posts if p.is_current],
        "past": [p for p in posts if not p.is_current],
        "elections": list(village_elections(village.code)),
        "can_edit": request.scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "organisation/village_committees.html", context)


def village_elections(code: str):
    return Election.objects.filter(region_code=code).order_by("-held_on")


@require_perm(Perm.EDIT_ORGANISATION)
def post_create(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    form = CommitteePostForm(
        request.POST or None,
        scope=request.scope,
        village_code=village.code,
        initial={"started_on": timezone.localdate()},
    )
    return _village_form(
        request,
        village,
        form,
        services.do_appoint_committee_post,
        _("Post recorded."),
        _("New post in %(village)s") % {"village": village.name},
    )


def village_url(code: str) -> str:
    return reverse("organisation:village_committees", kwargs={"code": code})


def _village_form(request: HttpRequest, village: Region, form, record, done, title):
    """A form recording something of the village's committees through `record` (a
    service); back on the village's page once recorded, its refusal on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            record(request.user, region_code=village.code, **form.cleaned_data)
        except OrganisationError as error:
            apply_error(form, error)
        else:
            messages.success(request, done)
            return redirect("organisation:village_committees", code=village.code)
    context = {"form": form, "title": title, "cancel_href": village_url(village.code)}
    return render(request, "organisation/form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
@require_POST
def post_end(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_in_scope(CommitteePost.objects.all(), request.scope, pk=pk)
    form = EndForm(request.POST)
    ended_on = form.cleaned_data.get("ended_on") if form.is_valid() else None
    try:
        services.do_end_committee_post(request.user, post, ended_on)
    except OrganisationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Term ended."))
    return redirect("organisation:village_committees", code=post.region_code)


@require_perm(Perm.EDIT_ORGANISATION)
def election_create(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    form = ElectionForm(request.POST or None)
    return _village_form(
        request,
        village,
        form,
        services.do_record_election,
        _("Election recorded."),
        _("Election in %(village)s") % {"village": village.name},
    )
