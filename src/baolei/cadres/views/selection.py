"""Pages of first-secretary selection: the rules, the candidate pool with each criterion,
the gaps, and matching runs (start, proposal a page of pairs at a time, adjust one pair
on its own page, confirm or discard).

Matching reads the candidates' disciplinary records, so its pages need VIEW_DISCIPLINE
(the organisation department) besides MANAGE_CADRES for the writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.cadres.forms.teams import (
    AttendanceRuleForm,
    CandidateForm,
    MatchingForm,
    SelectionRulesForm,
)
from baolei.cadres.models import (
    AttendanceRule,
    Candidate,
    Industry,
    MatchingPair,
    MatchingRun,
    RunStatus,
    SelectionRules,
)
from baolei.cadres.services import criteria, selection
from baolei.cadres.services import teams as services
from baolei.pages import apply_error, region_names, sorted_by
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
    inherited_selection = selection_rules or criteria.selection_rules(region, year)
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
        if not request.scope.can(Perm.MANAGE_CADRES):
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
            "can_edit": request.scope.can(Perm.MANAGE_CADRES),
            "attendance_values": _as_text(attendance_form),
            "selection_values": _as_text(selection_form),
        },
    )


def _as_text(form) -> list[tuple[str, str]]:
    """A rules form as (label, value) lines, for whoever may read the rules but not change
    them: inputs without a save button would look editable."""
    lines = []
    for field in form:
        value = field.value()
        choices = dict(getattr(field.field, "choices", None) or ())
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        elif value in (None, ""):
            value = "—"
        else:
            value = choices.get(value, value)
        lines.append((field.label, str(value)))
    return lines


# --- candidates and gaps -----------------------------------------------------------------


@require_perm(Perm.VIEW)
def candidate_list(request: HttpRequest) -> HttpResponse:
    """The pool with each criterion's result; the disciplinary criterion is shown only to
    roles that may see disciplinary records (others see it as restricted)."""
    year = _year(request)
    pool = scoped(
        Candidate.objects.filter(year=year).select_related("cadre__person"), request.scope
    )
    pool, sort = sorted_by(
        request,
        pool,
        {
            "name": "cadre__person__name",
            "unit": ("cadre__unit", "cadre__person__name"),
            "region": ("region_code", "id"),
            "status": ("status", "cadre__person__name"),
        },
        "region",
    )
    page = Paginator(pool, 50).get_page(request.GET.get("page"))
    evaluations = criteria.evaluate_all(list(page), criteria.cached_rules())
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
            "sort": sort,
            "evaluations": evaluations,
            "see_discipline": see_discipline,
            "can_edit": request.scope.can(Perm.MANAGE_CADRES),
        },
    )


@require_perm(Perm.MANAGE_CADRES)
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
    found, sort = sorted_by(
        request,
        selection.gaps(region, year),
        {
            "village": "village.code",
            "weak": ("weak_branch", "village.code"),
            "monitored": ("monitored", "village.code"),
            "registered": ("registered", "village.code"),
            "industry": ("industry", "village.code"),
        },
        "village",
    )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    industries = dict(Industry.choices)
    # The county is known from the heading: the township and the village name a row.
    townships = region_names({need.village.code[:9] for need in page})
    for need in page:
        need.industry_label = industries.get(need.industry, "")
        need.township_name = townships.get(need.village.code[:9], "")
    return render(
        request,
        "cadres/teams/gap_list.html",
        {
            "year": year,
            "region": Region.objects.filter(code=region).first(),
            "page": page,
            "sort": sort,
            "rules": criteria.selection_rules(region, year),
            "industries": Industry.choices,
            "can_edit": request.scope.can(Perm.MANAGE_CADRES),
            "can_match": request.scope.can(Perm.VIEW_DISCIPLINE)
            and request.scope.can(Perm.MANAGE_CADRES),
        },
    )


# --- matching ----------------------------------------------------------------------------


def _runs(request: HttpRequest):
    return scoped(MatchingRun.objects.all(), request.scope)


@require_perm(Perm.VIEW_DISCIPLINE)
def matching_list(request: HttpRequest) -> HttpResponse:
    """Past runs, and the form that starts a new one."""
    if request.method == "POST" and not request.scope.can(Perm.MANAGE_CADRES):
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


PAIRS_PER_PAGE = 50


def _explain(pair: MatchingPair) -> None:
    pair.explained = selection.explained(pair.reasons, pair.needs)
    pair.industry_label = dict(Industry.choices).get(pair.needs.get("industry", ""), "")
    pair.poverty = selection.poverty_text(pair.needs)


def _run_counts(run: MatchingRun) -> dict:
    """The whole run's figures, whatever page of its pairs is shown."""
    return run.pairs.aggregate(
        total=Coalesce(Sum("fit"), 0),
        villages=Count("id"),
        filled=Count("candidate"),
        adjusted=Count("id", filter=Q(adjusted=True)),
    )


def _may_adjust(request: HttpRequest, run: MatchingRun) -> bool:
    return run.status == RunStatus.PROPOSED and request.scope.can(Perm.MANAGE_CADRES)


@require_perm(Perm.VIEW_DISCIPLINE)
def matching_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposal a page of pairs at a time, each with a link to adjust it: a pool of
    thousands is never listed here (see `pair_adjust`)."""
    run = get_in_scope(_runs(request), request.scope, pk=pk)
    pairs = run.pairs.select_related("village", "candidate__cadre__person").order_by("village_id")
    page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    for pair in page:
        _explain(pair)
    counts = _run_counts(run)
    return render(
        request,
        "cadres/teams/matching_detail.html",
        {
            "run": run,
            "page": page,
            "counts": counts,
            "total": counts["total"],
            "can_edit": _may_adjust(request, run),
        },
    )


def _pair_page(pair: MatchingPair) -> int:
    """The page of the proposal that shows this pair, to go back to it."""
    before = MatchingPair.objects.filter(run_id=pair.run_id, village_id__lt=pair.village_id)
    return before.count() // PAIRS_PER_PAGE + 1


def _adjust_post(request: HttpRequest, pair: MatchingPair) -> HttpResponse:
    if not request.scope.can(Perm.MANAGE_CADRES):
        raise PermissionDenied
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
        return redirect("cadres:pair_adjust", pk=pair.pk)
    messages.success(request, _("The pair was changed."))
    detail = reverse("cadres:matching_detail", kwargs={"pk": pair.run_id})
    return redirect(f"{detail}?page={_pair_page(pair)}")


@require_perm(Perm.VIEW_DISCIPLINE)
def pair_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """One village of a proposal: its candidate and fit, and the best other candidates for
    it (free, passing the criteria, found by name) to put there instead."""
    pair = get_in_scope(
        scoped(
            MatchingPair.objects.select_related("run", "village", "candidate__cadre__person"),
            request.scope,
        ),
        request.scope,
        pk=pk,
    )
    get_in_scope(_runs(request), request.scope, pk=pair.run_id)
    if request.method == "POST":
        return _adjust_post(request, pair)
    can_edit = _may_adjust(request, pair.run)
    query = request.GET.get("q", "").strip()[:64]
    options = selection.pair_options(request.scope, pair, query) if can_edit else []
    _explain(pair)
    for option in options:
        option.explained = selection.explained(option.reasons, pair.needs)
    return render(
        request,
        "cadres/teams/pair_adjust.html",
        {
            "pair": pair,
            "run": pair.run,
            "query": query,
            "options": options,
            "limit": selection.ADJUST_CHOICES,
            "back": f"{reverse('cadres:matching_detail', kwargs={'pk': pair.run_id})}"
            f"?page={_pair_page(pair)}",
            "can_edit": can_edit,
        },
    )


@require_POST
@require_perm(Perm.VIEW_DISCIPLINE)
def matching_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.scope.can(Perm.MANAGE_CADRES):
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
@require_perm(Perm.VIEW_DISCIPLINE)
def matching_discard(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.scope.can(Perm.MANAGE_CADRES):
        raise PermissionDenied
    run = get_in_scope(_runs(request), request.scope, pk=pk)
    try:
        selection.do_discard_run(request.user, request.scope, run)
    except services.TeamsError as error:
        messages.error(request, str(error.message))
        return redirect("cadres:matching_detail", pk=run.pk)
    messages.success(request, _("The proposal was discarded."))
    return redirect("cadres:matching_list")


@require_POST
@require_perm(Perm.MANAGE_CADRES)
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
