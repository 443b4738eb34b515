"""Pages of first-secretary selection: the rules, the candidate pool with each criterion,
the gaps, and matching runs (start, proposal, adjust one pair, confirm).

Matching reads the candidates' disciplinary records, so its pages need VIEW_DISCIPLINE
(the organisation department) besides EDIT_ORGANISATION for the writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.cadres import selection
from baolei.cadres import services_teams as services
from baolei.cadres.forms_teams import (
    AttendanceRuleForm,
    CandidateForm,
    MatchingForm,
    SelectionRulesForm,
)
from baolei.cadres.models_teams import (
    AttendanceRule,
    Candidate,
    Industry,
    MatchingPair,
    MatchingRun,
    RunStatus,
    SelectionRules,
)
from baolei.pages import apply_error
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.regions.services import picker_roots


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def _rules_region(request: HttpRequest) -> str:
    """Rules are set for the viewer's own region (a national user names one); "" when
    none is named yet."""
    code = request.GET.get("region", "").strip() or request.scope.region_code or ""
    if code and (not codes.is_region_code(code) or not request.scope.contains(code)):
        raise Http404
    return code


def _choose_county(request: HttpRequest, title: str) -> HttpResponse:
    """A province's or the nation's users name the county first: rules and gaps are
    set and counted county by county."""
    context = {"title": title, "picker_roots": picker_roots(request.scope)}
    return render(request, "cadres/teams/choose_region.html", context)


# --- rules -------------------------------------------------------------------------------


@require_perm(Perm.VIEW)
def rules(request: HttpRequest) -> HttpResponse:
    """The attendance rule and the selection rules of a year for the viewer's region."""
    region, year = _rules_region(request), _year(request)
    if len(region) < 6:
        return _choose_county(request, _("Rules"))
    attendance = AttendanceRule.objects.filter(region_code=region, year=year).first()
    selection_rules = SelectionRules.objects.filter(region_code=region, year=year).first()
    inherited_attendance = attendance or services.attendance_rule(region, year)
    inherited_selection = selection_rules or selection.selection_rules(region, year)
    attendance_form = AttendanceRuleForm(
        request.POST if request.POST.get("which") == "attendance" else None,
        instance=AttendanceRule(
            **{f: getattr(inherited_attendance, f) for f in AttendanceRuleForm.Meta.fields}
        ),
    )
    selection_form = SelectionRulesForm(
        request.POST if request.POST.get("which") == "selection" else None,
        instance=SelectionRules(
            **{f: getattr(inherited_selection, f) for f in SelectionRulesForm.Meta.fields}
        ),
    )
    if request.method == "POST":
        if not request.scope.can(Perm.EDIT_ORGANISATION):
            raise PermissionDenied
        form = attendance_form if attendance_form.is_bound else selection_form
        setter = (
            services.do_set_attendance_rule
            if form is attendance_form
            else selection.do_set_selection_rules
        )
        if form.is_valid():
            values = {f: form.cleaned_data[f] for f in form.Meta.fields}
            try:
                setter(request.user, region, year, **values)
            except services.TeamsError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The rules were saved."))
                return redirect(f"{request.path}?region={region}&year={year}")
    return render(
        request,
        "cadres/teams/rules.html",
        {
            "region": Region.objects.filter(code=region).first(),
            "year": year,
            "attendance_form": attendance_form,
            "selection_form": selection_form,
            "can_edit": request.scope.can(Perm.EDIT_ORGANISATION),
        },
    )


# --- candidates and gaps -----------------------------------------------------------------


@require_perm(Perm.VIEW)
def candidate_list(request: HttpRequest) -> HttpResponse:
    """The pool with each criterion's result; the disciplinary criterion is shown only to
    roles that may see disciplinary records (others see it as restricted)."""
    year = _year(request)
    pool = scoped(
        Candidate.objects.filter(year=year).select_related("cadre__person"), request.scope
    )
    page = Paginator(pool.order_by("region_code", "id"), 50).get_page(request.GET.get("page"))
    evaluations = selection.evaluate_all(list(page), selection.cached_rules())
    see_discipline = request.scope.can(Perm.VIEW_DISCIPLINE)
    for evaluation in evaluations:
        for criterion in evaluation.criteria:
            criterion.hidden = criterion.code == "discipline" and not see_discipline
    return render(
        request,
        "cadres/teams/candidate_list.html",
        {
            "year": year,
            "page": page,
            "evaluations": evaluations,
            "see_discipline": see_discipline,
            "can_edit": request.scope.can(Perm.EDIT_ORGANISATION),
        },
    )


@require_perm(Perm.EDIT_ORGANISATION)
def candidate_create(request: HttpRequest) -> HttpResponse:
    form = CandidateForm(request.POST or None, cadres=selection.cadres_for(request.scope))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        cadre, year = data.pop("cadre"), data.pop("year")
        try:
            selection.do_put_forward(request.user, cadre, year, **data)
        except services.TeamsError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The candidate was added to the pool."))
            return redirect(f"{reverse('cadres:candidate_list')}?year={year}")
    return render(request, "cadres/teams/form.html", {"form": form, "title": _("New candidate")})


@require_perm(Perm.VIEW)
def gap_list(request: HttpRequest) -> HttpResponse:
    """Villages that must have a first secretary and have none."""
    year = _year(request)
    region = _rules_region(request)
    if len(region) < 6:
        return _choose_county(request, _("Villages without the first secretary they need"))
    found = selection.gaps(region, year)
    industries = dict(Industry.choices)
    for need in found:
        need.industry_label = industries.get(need.industry, "")
    return render(
        request,
        "cadres/teams/gap_list.html",
        {
            "year": year,
            "region": Region.objects.filter(code=region).first(),
            "gaps": found,
            "rules": selection.selection_rules(region, year),
            "industries": Industry.choices,
            "can_edit": request.scope.can(Perm.EDIT_ORGANISATION),
            "can_match": request.scope.can(Perm.VIEW_DISCIPLINE)
            and request.scope.can(Perm.EDIT_ORGANISATION),
        },
    )


# --- matching ----------------------------------------------------------------------------


def _runs(request: HttpRequest):
    return scoped(MatchingRun.objects.all(), request.scope)


@require_perm(Perm.VIEW_DISCIPLINE)
def matching_list(request: HttpRequest) -> HttpResponse:
    """Past runs, and the form that starts a new one."""
    if request.method == "POST" and not request.scope.can(Perm.EDIT_ORGANISATION):
        raise PermissionDenied
    form = MatchingForm(request.POST or None, initial={"region": request.scope.region_code})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = data["region"].strip()
        if not codes.is_region_code(code) or len(code) < 6:
            form.add_error("region", _("Give a county, township or village code."))
        else:
            try:
                run = selection.do_start_matching(
                    request.user, request.scope, code, data["year"], data["starts_on"]
                )
            except services.TeamsError as error:
                apply_error(form, error)
            else:
                return redirect("cadres:matching_detail", pk=run.pk)
    page = Paginator(_runs(request), 20).get_page(request.GET.get("page"))
    return render(request, "cadres/teams/matching_list.html", {"form": form, "page": page})


@require_perm(Perm.VIEW_DISCIPLINE)
def matching_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_in_scope(_runs(request), request.scope, pk=pk)
    pairs = list(
        run.pairs.select_related("village", "candidate__cadre__person").order_by("village_id")
    )
    labels = selection.REASON_LABELS
    industries = dict(Industry.choices)
    for pair in pairs:
        pair.explained = [(labels.get(code, code), points) for code, points in pair.reasons]
        pair.industry_label = industries.get(pair.needs.get("industry", ""), "")
    choices = []
    if run.status == RunStatus.PROPOSED:
        choices = selection.eligible_candidates(request.scope, run.region_code, run.year)
    used = {pair.candidate_id for pair in pairs if pair.candidate_id}
    return render(
        request,
        "cadres/teams/matching_detail.html",
        {
            "run": run,
            "pairs": pairs,
            "total": sum(pair.fit for pair in pairs),
            "choices": choices,
            "unused": [c for c in choices if c.pk not in used],
            "can_edit": run.status == RunStatus.PROPOSED
            and request.scope.can(Perm.EDIT_ORGANISATION),
        },
    )


@require_POST
@require_perm(Perm.VIEW_DISCIPLINE)
def pair_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.scope.can(Perm.EDIT_ORGANISATION):
        raise PermissionDenied
    pair = get_in_scope(
        scoped(MatchingPair.objects.select_related("run"), request.scope), request.scope, pk=pk
    )
    get_in_scope(_runs(request), request.scope, pk=pair.run_id)
    candidate = None
    if request.POST.get("candidate"):
        candidate = get_in_scope(
            scoped(Candidate.objects.select_related("cadre__person"), request.scope),
            request.scope,
            pk=request.POST["candidate"],
        )
    try:
        selection.do_adjust_pair(request.user, request.scope, pair, candidate)
    except services.TeamsError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The pair was changed."))
    return redirect("cadres:matching_detail", pk=pair.run_id)


@require_POST
@require_perm(Perm.VIEW_DISCIPLINE)
def matching_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.scope.can(Perm.EDIT_ORGANISATION):
        raise PermissionDenied
    run = get_in_scope(_runs(request), request.scope, pk=pk)
    try:
        appointed = selection.do_confirm_run(request.user, request.scope, run)
    except services.TeamsError as error:
        messages.error(request, str(error.message))
        return redirect("cadres:matching_detail", pk=run.pk)
    messages.success(
        request,
        _("%(count)s first secretaries were appointed.") % {"count": len(appointed)},
    )
    return redirect(f"{reverse('cadres:team_list')}?region={run.region_code}")


@require_POST
@require_perm(Perm.EDIT_ORGANISATION)
def village_industry(request: HttpRequest, code: str) -> HttpResponse:
    """Set a village's main industry (a need matching reads) from the gaps page."""
    village = get_in_scope(Region.objects.villages(), request.scope, code=code)
    try:
        selection.do_set_main_industry(request.user, village, request.POST.get("industry", ""))
    except services.TeamsError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The main industry was saved."))
    back = request.POST.get("next", "")
    if not back.startswith("/cadres/teams/gaps/"):
        back = reverse("cadres:gap_list")
    return redirect(back)
