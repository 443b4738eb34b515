"""Pages of the work teams: teams and members, duties, recall and rotation, attendance
and leave. Selection and matching pages are in `views.selection`; a team's edit page and its
work-fund ledger in `views.team_edit`.

Every record is reached through `scoped()` or `get_in_scope()`; writes go through
`services.teams`, whose refusals come back onto the form.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, get_in_scope, scoped
from baolei.cadres.forms.teams import (
    AttendanceForm,
    DecisionForm,
    DutyForm,
    DutyStatusForm,
    EndMemberForm,
    FundEntryForm,
    LeaveForm,
    MemberForm,
    PeriodForm,
    RecallForm,
    RotateForm,
    TeamForm,
)
from baolei.cadres.models import (
    Duty,
    LeaveRequest,
    LeaveStatus,
    MemberRole,
    TeamMember,
    TeamStatus,
    WorkTeam,
)
from baolei.cadres.services import funds as services_funds
from baolei.cadres.services import selection
from baolei.cadres.services import teams as services
from baolei.imports import exporting
from baolei.pages import apply_error, sorted_by
from baolei.regions import codes
from baolei.regions.models import Region

# --- helpers -----------------------------------------------------------------------------


def _teams(request: HttpRequest) -> QuerySet[WorkTeam]:
    return scoped(WorkTeam.objects.select_related("village"), request.scope)


def _members(request: HttpRequest) -> QuerySet[TeamMember]:
    return scoped(
        TeamMember.objects.select_related("cadre__person", "team__village"), request.scope
    )


def _may_record(scope: Scope) -> bool:
    """Attendance and leave are entered from the village (first secretaries, townships)
    or by those who manage the teams."""
    return scope.can(Perm.RECORD_VISITS) or scope.can(Perm.MANAGE_CADRES)


def _region_filter(request: HttpRequest) -> str | None:
    """The `region` drill-down parameter: 404 when unknown or outside the scope."""
    code = request.GET.get("region", "").strip()
    if not code:
        return None
    if not codes.is_region_code(code) or not request.scope.contains(code):
        raise Http404
    return code


def current_first_secretaries(queryset: QuerySet[TeamMember]) -> QuerySet[TeamMember]:
    return queryset.filter(
        role=MemberRole.FIRST_SECRETARY, ended_on__isnull=True, team__status=TeamStatus.ACTIVE
    )


# --- teams -------------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def team_list(request: HttpRequest) -> HttpResponse:
    teams = _teams(request)
    region = _region_filter(request)
    if region:
        teams = teams.filter(codes.within("village_id", region))
    status = request.GET.get("status", TeamStatus.ACTIVE)
    if status in TeamStatus.values:
        teams = teams.filter(status=status)
    teams = teams.prefetch_related(
        Prefetch(
            "members",
            queryset=TeamMember.objects.filter(
                role=MemberRole.FIRST_SECRETARY, ended_on__isnull=True
            ).select_related("cadre__person"),
            to_attr="secretaries",
        )
    )
    teams, sort = sorted_by(
        request,
        teams,
        {
            "village": "village_id",
            "unit": ("dispatching_unit", "village_id"),
            "term": ("starts_on", "village_id"),
            "status": ("status", "village_id"),
        },
        "village",
    )
    page = Paginator(teams, 50).get_page(request.GET.get("page"))
    current = region or request.scope.region_code
    children = []
    if current is None or len(current) < 12:
        children = list(scoped(Region.objects.children_of(current), request.scope))
    return render(
        request,
        "cadres/teams/team_list.html",
        {
            "page": page,
            "sort": sort,
            "status": status,
            "statuses": TeamStatus.choices,
            "region": region,
            "children": children,
            "can_edit": request.scope.can(Perm.MANAGE_CADRES),
        },
    )


@require_perm(Perm.MANAGE_CADRES)
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None, initial={"village": request.GET.get("village", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services.do_create_team(
                request.user,
                data["village"],
                data["dispatching_unit"],
                data["starts_on"],
                data["ends_on"],
                data["funds"],
            )
        except services.TeamsError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The work team was created."))
            return redirect("cadres:team_detail", pk=team.pk)
    return render(request, "cadres/teams/form.html", {"form": form, "title": _("New work team")})


@require_perm(Perm.VIEW)
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_in_scope(_teams(request), request.scope, pk=pk)
    members = list(team.members.select_related("cadre__person").order_by("ended_on", "role", "id"))
    today = timezone.localdate()
    may_edit = request.scope.can(Perm.MANAGE_CADRES)
    context = {
        "team": team,
        "members": members,
        "duties": list(team.duties.all()),
        "today": today,
        "fund_entries": list(team.fund_entries.all()),
        "fund_totals": services_funds.totals(team),
        "may_enter_funds": may_edit,
        "fund_form": FundEntryForm(initial={"date": today}),
        "can_edit": may_edit and team.status == TeamStatus.ACTIVE,
        "may_record": _may_record(request.scope),
        "member_form": MemberForm(
            cadres=selection.cadres_for(request.scope), initial={"starts_on": today}
        ),
        "duty_form": DutyForm(),
        "recall_form": RecallForm(initial={"on": today}),
        "duty_statuses": DutyStatusForm.base_fields["status"].choices,
    }
    return render(request, "cadres/teams/team_detail.html", context)


def _form_page(request, form, action, success: str, done: str, team, title) -> HttpResponse:
    """A form about a team or its member: a valid post is given to `action(data)`, then
    the page goes on to the URL `done`; a refusal comes back onto the form."""
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except services.TeamsError as error:
            apply_error(form, error)
        else:
            messages.success(request, success)
            return redirect(done)
    return render(request, "cadres/teams/form.html", {"form": form, "team": team, "title": title})


def _team_url(pk: int) -> str:
    return reverse("cadres:team_detail", kwargs={"pk": pk})


def _team_form_post(request, pk, form_class, action, success, **form_kwargs):
    team = get_in_scope(_teams(request), request.scope, pk=pk)
    form = form_class(request.POST or None, **form_kwargs)
    return _form_page(
        request, form, lambda data: action(team, data), success, _team_url(team.pk), team, team
    )


@require_perm(Perm.MANAGE_CADRES)
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    def add(team, data):
        services.do_add_member(request.user, team, data["cadre"], data["role"], data["starts_on"])

    return _team_form_post(
        request,
        pk,
        MemberForm,
        add,
        _("The member joined the team."),
        cadres=selection.cadres_for(request.scope),
    )


@require_perm(Perm.MANAGE_CADRES)
def team_recall(request: HttpRequest, pk: int) -> HttpResponse:
    def recall(team, data):
        services.do_recall(request.user, team, data["on"], data["reason"])

    return _team_form_post(request, pk, RecallForm, recall, _("The work team was recalled."))


@require_perm(Perm.MANAGE_CADRES)
def duty_add(request: HttpRequest, pk: int) -> HttpResponse:
    def add(team, data):
        services.do_add_duty(request.user, team, data["kind"], data["description"], data["due_on"])

    return _team_form_post(request, pk, DutyForm, add, _("The duty was added."))


@require_POST
@require_perm(Perm.VIEW)
def duty_update(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_in_scope(
        scoped(Duty.objects.select_related("team"), request.scope), request.scope, pk=pk
    )
    if not _may_record(request.scope):
        raise PermissionDenied
    form = DutyStatusForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("cadres:team_detail", pk=duty.team_id)
    data = form.cleaned_data
    try:
        services.do_update_duty(
            request.user, duty, data["status"], done_on=data["done_on"], result=data["result"]
        )
    except services.TeamsError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The duty was updated."))
    return redirect("cadres:team_detail", pk=duty.team_id)


@require_perm(Perm.MANAGE_CADRES)
def member_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_in_scope(_members(request), request.scope, pk=pk)
    form = RotateForm(
        request.POST or None,
        cadres=selection.cadres_for(request.scope).exclude(pk=member.cadre_id),
        initial={"on": timezone.localdate()},
    )

    def rotate(data):
        new = services.do_rotate(request.user, member, data["cadre"], data["on"], data["note"])
        _warn_short_term(request, new)

    title = _("Rotate %(name)s") % {"name": member.cadre.person.name}
    success = _("The rotation was recorded.")
    return _form_page(request, form, rotate, success, _team_url(member.team_id), member.team, title)


def _warn_short_term(request: HttpRequest, member: TeamMember) -> None:
    """A successor first secretary may take over less than a full term: allowed (they
    finish the team's term) but said plainly, so that the team's term can be renewed."""
    if member.role != MemberRole.FIRST_SECRETARY:
        return
    if services.short_of_full_term(member.team, member.starts_on):
        messages.warning(
            request,
            _(
                "%(name)s serves as first secretary only until %(date)s, the end of the "
                "team's term: less than the %(years)s years of a full term."
            )
            % {
                "name": member.cadre.person.name,
                "date": member.team.ends_on.isoformat(),
                "years": services.MIN_FIRST_SECRETARY_YEARS,
            },
        )


@require_perm(Perm.MANAGE_CADRES)
def member_end(request: HttpRequest, pk: int) -> HttpResponse:
    """One member leaves the team: recalled (召回, with the reason in the note) or at the end
    of their term; the team stays."""
    member = get_in_scope(_members(request), request.scope, pk=pk)
    form = EndMemberForm(request.POST or None, initial={"ended_on": timezone.localdate()})

    def end(data):
        services.do_end_member(request.user, member, data["ended_on"], data["reason"], data["note"])

    title = _("%(name)s leaves the team") % {"name": member.cadre.person.name}
    success = _("The member left the team.")
    return _form_page(request, form, end, success, _team_url(member.team_id), member.team, title)


# --- attendance --------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def attendance_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One member's months: the phone page where a first secretary enters their days."""
    member = get_in_scope(_members(request), request.scope, pk=pk)
    if request.method == "POST" and not _may_record(request.scope):
        raise PermissionDenied
    today = timezone.localdate()
    form = AttendanceForm(request.POST or None, initial={"year": today.year, "month": today.month})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_save_attendance(
                request.user, member, data["year"], data["month"], data["days"], data["note"]
            )
        except services.TeamsError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The days were saved."))
            return redirect("cadres:attendance_entry", pk=member.pk)
    year = today.year
    one_member = _members(request).filter(pk=member.pk)
    months = []
    for month in range(1, today.month + 1):
        for line in services.month_attendance(one_member, year, month):
            line.month = month
            months.append(line)
    context = {
        "member": member,
        "form": form,
        "months": months,
        "year_line": next(iter(services.year_attendance(one_member, year)), None),
        "year": year,
        "may_record": _may_record(request.scope),
    }
    return render(request, "cadres/teams/attendance_entry.html", context)


def _below_lines(request: HttpRequest):
    year, month = PeriodForm(request.GET).period()
    members = _members(request)
    region = _region_filter(request)
    if region:
        members = members.filter(codes.within("team__village_id", region))
    return year, month, services.below_rule(members, year, month)


@require_perm(Perm.VIEW)
def below_rule(request: HttpRequest) -> HttpResponse:
    year, month, lines = _below_lines(request)
    lines, sort = sorted_by(
        request,
        list(lines),
        {
            "village": ("member.team.village_id", "member.cadre.person.name"),
            "name": "member.cadre.person.name",
            "role": "member.role",
            "days": "days",
            "required": "required",
            "leave": "leave_days",
        },
        "village",
    )
    context = {
        "year": year,
        "month": month,
        "lines": lines,
        "sort": sort,
        "months": range(1, 13),
        "running_until": services.running_until(year, month),
    }
    return render(request, "cadres/teams/below_rule.html", context)


@require_perm(Perm.VIEW)
def below_rule_export(request: HttpRequest) -> HttpResponse:
    year, month, lines = _below_lines(request)
    rows = [
        [
            line.member.team.village.full_name,
            line.member.team.village_id,
            line.member.cadre.person.name,
            str(line.member.get_role_display()),
            line.days,
            line.required,
            line.leave_days,
        ]
        for line in lines
    ]
    return exporting.export_response(
        request,
        header=[
            _("Village"),
            _("Village code"),
            _("Name"),
            _("Role"),
            _("Days in the village"),
            _("Required days"),
            _("Approved leave (days)"),
        ],
        rows=rows,
        filename=exporting.file_name(
            request.scope,
            gettext_lazy("Below the attendance rule"),
            f"{year}{f'{month:02d}' if month else ''}",
        ),
        model="cadres.attendancemonth",
        filters={"year": year, "month": month},
        count=lambda: len(rows),
        text_columns=[1],
    )


# --- leave -------------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def leave_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_in_scope(_members(request), request.scope, pk=pk)
    if not _may_record(request.scope):
        raise PermissionDenied
    form = LeaveForm(request.POST or None)

    def request_leave(data):
        services.do_request_leave(
            request.user, member, data["starts_on"], data["ends_on"], data["reason"]
        )

    title = _("Leave for %(name)s") % {"name": member.cadre.person.name}
    success = _("The leave request was sent.")
    return _form_page(
        request, form, request_leave, success, reverse("cadres:leave_list"), member.team, title
    )


@require_perm(Perm.VIEW)
def leave_list(request: HttpRequest) -> HttpResponse:
    leaves = scoped(
        LeaveRequest.objects.select_related("member__cadre__person", "member__team__village"),
        request.scope,
    )
    decides = services.decides_leave(request.scope)
    queue = services.approval_queue(leaves, request.scope) if decides else []
    recent = Paginator(leaves.order_by("-starts_on", "-id"), 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for leave in recent:
        leave.state = services.leave_state(leave, today)
    for leave in queue:
        leave.state = services.leave_state(leave, today)
    context = {"queue": queue, "page": recent, "decides": decides}
    return render(request, "cadres/teams/leave_list.html", context)


@require_POST
@require_perm(Perm.VIEW)
def leave_decide(request: HttpRequest, pk: int) -> HttpResponse:
    leave = get_in_scope(
        scoped(LeaveRequest.objects.select_related("member__team"), request.scope),
        request.scope,
        pk=pk,
    )
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        services.do_decide_leave(
            request.user,
            leave,
            bool(form.cleaned_data.get("approve")),
            form.cleaned_data.get("note", ""),
        )
    except services.TeamsError as error:
        if error.code == "not_your_decision":
            raise PermissionDenied from error
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The decision was recorded."))
    return redirect("cadres:leave_list")


# --- first secretaries -------------------------------------------------------------------


def _first_secretary_rows(request: HttpRequest):
    members = current_first_secretaries(_members(request))
    region = _region_filter(request)
    if region:
        members = members.filter(codes.within("team__village_id", region))
    return members.order_by("team__village_id")


@require_perm(Perm.VIEW)
def first_secretary_export(request: HttpRequest) -> HttpResponse:
    members = _first_secretary_rows(request)

    def rows():
        for member in members.iterator(chunk_size=1000):
            yield [
                member.team.village.full_name,
                member.team.village_id,
                member.cadre.person.name,
                member.cadre.unit,
                member.team.dispatching_unit,
                member.starts_on,
                member.team.ends_on,
            ]

    return exporting.export_response(
        request,
        header=[
            _("Village"),
            _("Village code"),
            _("First secretary"),
            _("Work unit"),
            _("Dispatching unit"),
            _("In post from"),
            _("Term ends"),
        ],
        rows=rows(),
        filename=exporting.file_name(request.scope, gettext_lazy("First secretaries")),
        model="cadres.teammember",
        filters={"region": request.GET.get("region", "")},
        count=members.count,
        text_columns=[1],
    )


# --- the summary on the cadres index -----------------------------------------------------


def summary_context(request: HttpRequest) -> dict:
    """For `cadres/teams/_summary.html`: what the cadres index shows of the teams."""
    scope = request.scope
    today = timezone.localdate()
    members = _members(request)
    previous = today.replace(day=1) - datetime.timedelta(days=1)
    region = scope.region_code
    return {
        "teams_summary": {
            "first_secretaries": current_first_secretaries(members).count(),
            "gaps": len(selection.gaps(region, today.year))
            if region and len(region) >= 6
            else None,
            "below_rule": sum(
                1
                for line in services.month_attendance(members, previous.year, previous.month)
                if line.below
            ),
            "below_month": previous,
            "decides_leave": services.decides_leave(scope),
            # Who decides nothing (a leader) sees what still waits, not "waiting for you".
            "pending_leave": len(
                services.approval_queue(scoped(LeaveRequest.objects.all(), scope), scope)
            )
            if services.decides_leave(scope)
            else scoped(LeaveRequest.objects.all(), scope)
            .filter(status=LeaveStatus.PENDING, ends_on__gte=today)
            .count(),
        }
    }
