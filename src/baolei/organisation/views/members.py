"""Party members' pages: the list and its export, a member's page, joining, editing,
transfers between branches, and the households a member keeps in touch with (党员联户)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baolei import idnumbers, pages, versioning
from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.organisation.forms.organisations import (
    LinkForm,
    MemberEditForm,
    MemberFilterForm,
    MemberForm,
    TransferForm,
)
from baolei.organisation.models import PartyMember
from baolei.organisation.services import members as services
from baolei.organisation.services.common import OrganisationError
from baolei.organisation.sheets import members as sheets
from baolei.organisation.views.organisations import (
    _show_person,
    checked_filter_form,
    export_filtered,
    filter_form,
    list_context,
    page_of,
    valid_filters,
    within,
)
from baolei.pages import apply_error


def _member(request: HttpRequest, pk: int) -> PartyMember:
    queryset = PartyMember.objects.select_related("person", "branch")
    return get_in_scope(queryset, request.scope, pk=pk)


def filtered_members(request: HttpRequest, form) -> QuerySet[PartyMember]:
    data = valid_filters(form)
    members = scoped(PartyMember.objects.all(), request.scope)
    members = within(members, "branch__region_code", data.get("region"))
    if data.get("standing"):
        members = members.filter(standing=data["standing"])
    if data.get("category"):
        members = members.filter(category=data["category"])
    text = (data.get("q") or "").strip()
    if text:
        # A full ID number finds its person; anything else is a name.
        members = members.filter(
            Q(person__id_number=text.upper()) | Q(person__name__startswith=text)
        )
    return members


@require_perm(Perm.VIEW)
def member_list(request: HttpRequest) -> HttpResponse:
    form = filter_form(request, MemberFilterForm)
    members = filtered_members(request, form).select_related("person", "branch")
    members, sort = pages.sorted_by(
        request,
        members,
        {
            "name": "person__name",
            "age": "-person__birth_date",
            "branch": ("branch__region_code", "branch__name", "person__name"),
            "standing": "standing",
            "category": "category",
        },
        "branch",
    )
    page = page_of(request, members)
    today = timezone.localdate()
    for member in page:
        _show_person(request.scope, member.person)
        member.age = idnumbers.age_on(member.person.birth_date, today)
    context = {**list_context(request, form, page), "sort": sort}
    return render(request, "organisation/member_list.html", context)


@require_perm(Perm.VIEW)
def member_export(request: HttpRequest) -> HttpResponse:
    """The filtered members in the import sheet's columns, ID numbers masked unless the
    reader may see personal data."""
    form = checked_filter_form(request, MemberFilterForm)
    members = filtered_members(request, form)
    reveal = request.scope.can(Perm.SEE_PERSONAL_DATA)
    return export_filtered(
        request,
        form,
        members,
        sheets.MEMBER_SHEET.title,
        sheets.MEMBER_SHEET,
        header=sheets.MEMBER_SHEET.headers,
        rows=sheets.export_members(members, reveal),
        model="organisation.partymember",
        text_columns=[1, 2],
        details={"masked": not reveal},
    )


@require_perm(Perm.VIEW)
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    scope = request.scope
    _show_person(scope, member.person)
    links = scoped(member.household_links.select_related("household"), scope)
    context = {
        "member": member,
        "age": idnumbers.age_on(member.person.birth_date, timezone.localdate()),
        "transfers": list(
            member.transfers.select_related("from_branch", "to_branch").order_by(
                "transferred_on", "id"
            )
        ),
        "links": list(links.order_by("ended_on", "-started_on")),
        "can_edit": scope.can(Perm.EDIT_ORGANISATION),
    }
    return render(request, "organisation/member_detail.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def member_create(request: HttpRequest) -> HttpResponse:
    initial = {"branch": request.GET.get("branch") or None}
    form = MemberForm(request.POST or None, scope=request.scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.do_create_member(request.user, **form.cleaned_data)
        except OrganisationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": member.person.name})
            return redirect("organisation:member_detail", pk=member.pk)
    context = {
        "form": form,
        "title": _("New party member"),
        "cancel_url": "organisation:member_list",
    }
    return render(request, "organisation/form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    initial = {name: getattr(member, name) for name in services.MEMBER_FIELDS}
    form = MemberEditForm(request.POST or None, scope=request.scope, initial=initial)
    versioning.carry(form, member)
    if request.method == "POST" and form.is_valid():
        try:
            expected_version = versioning.expected(form)
            services.do_update_member(
                request.user, member, expected_version=expected_version, **form.cleaned_data
            )
        except OrganisationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": member.person.name})
            return redirect("organisation:member_detail", pk=member.pk)
    context = {"form": form, "title": member.person.name, "cancel": member}
    return render(request, "organisation/form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
def member_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = TransferForm(
        request.POST or None,
        scope=request.scope,
        member=member,
        initial={"transferred_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_transfer_member(request.user, member, **form.cleaned_data)
        except OrganisationError as error:
            apply_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s transferred to %(branch)s.")
                % {"name": member.person.name, "branch": form.cleaned_data["to_branch"].name},
            )
            return redirect("organisation:member_detail", pk=member.pk)
    context = {
        "form": form,
        "title": _("Transfer %(name)s from %(branch)s")
        % {"name": member.person.name, "branch": member.branch.name},
        "cancel": member,
    }
    return render(request, "organisation/form.html", context)


# --- 党员联户 -----------------------------------------------------------------------------------


@require_perm(Perm.EDIT_ORGANISATION)
def link_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = LinkForm(
        request.POST or None, scope=request.scope, initial={"started_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_link_household(
                request.user,
                member,
                form.cleaned_data["household_number"],
                form.cleaned_data["started_on"],
            )
        except OrganisationError as error:
            apply_error(form, error, {"household": "household_number"})
        else:
            messages.success(request, _("Household linked."))
            return redirect("organisation:member_detail", pk=member.pk)
    context = {
        "form": form,
        "title": _("Link %(name)s with a household") % {"name": member.person.name},
        "cancel": member,
    }
    return render(request, "organisation/form.html", context)


@require_perm(Perm.EDIT_ORGANISATION)
@require_POST
def link_end(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_in_scope(services.links_in_scope(request.scope), request.scope, pk=pk)
    try:
        services.do_end_link(request.user, link)
    except OrganisationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Link ended."))
    return redirect("organisation:member_detail", pk=link.member_id)
