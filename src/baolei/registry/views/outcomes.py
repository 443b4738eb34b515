"""Pages of the outcome side: exit checks, procedures, monitoring cases and their lists.

Every record is reached through `get_in_scope`/`scoped`, before any permission to change
it is checked: outside the scope the answer is 404, as for a record that does not exist;
inside it, a role without the right to record answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.pages import sorted_by
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry.forms.outcomes import (
    MeasureForm,
    ProcedureStartForm,
    RiskEventForm,
    RiskResolveForm,
    StepForm,
    YearForm,
)
from baolei.registry.models import (
    Household,
    HouseholdYear,
    MonitoringCase,
    Procedure,
    RiskEvent,
    VillagePopulation,
)
from baolei.registry.services import elimination, monitoring, procedures, rules
from baolei.registry.services.monitoring import OVERDUE_DAYS, open_identifications
from baolei.registry.services.procedures import ProcedureError

PAGE_SIZE = 50


# --- helpers --------------------------------------------------------------------------


def household_url(household: Household) -> str | None:
    """The household's page, built by the registry pages; None while it does not exist."""
    try:
        return reverse("registry:household_detail", args=[household.pk])
    except NoReverseMatch:
        return None


def _require_any(request: HttpRequest, *perms: Perm) -> None:
    if not any(request.scope.can(perm) for perm in perms):
        raise PermissionDenied


def _can_edit(request: HttpRequest) -> bool:
    return request.scope.can(Perm.EDIT_REGISTRY)


def _can_record(request: HttpRequest) -> bool:
    return request.scope.can(Perm.RECORD_VISITS) or _can_edit(request)


def _year(request: HttpRequest, default: int) -> int:
    form = YearForm(request.GET)
    if form.is_valid() and form.cleaned_data["year"]:
        return form.cleaned_data["year"]
    return default


def _latest_income_year(request: HttpRequest) -> int:
    """The latest year up to this one with income recorded in the scope (this year if
    none): the year the monitoring candidates are listed for unless another is asked."""
    this_year = timezone.localdate().year
    latest = scoped(HouseholdYear.objects.filter(year__lte=this_year), request.scope).aggregate(
        latest=Max("year")
    )["latest"]
    return latest or this_year


def _readiness_year(region_code: str) -> int:
    """The default year of the village exit pages: the latest year up to this one with a
    village population recorded in the region, else the latest with a poverty line."""
    this_year = timezone.localdate().year
    latest = VillagePopulation.objects.filter(
        codes.within("village_id", region_code), year__lte=this_year
    ).aggregate(latest=Max("year"))["latest"]
    if latest is None:
        standard = rules.standard_for(this_year, region_code)
        line = rules.line_for(rules.POVERTY_LINE, this_year, region_code)
        latest = line.year if line else standard.year if standard else None
    return latest or this_year


def _household(request: HttpRequest, pk: int) -> Household:
    return get_in_scope(Household.objects.select_related("village", "head"), request.scope, pk=pk)


def _case(request: HttpRequest, pk: int) -> MonitoringCase:
    return get_in_scope(
        MonitoringCase.objects.select_related("household", "household__village"),
        request.scope,
        pk=pk,
    )


def _add_refusal(form, error: ProcedureError) -> None:
    form.add_error(None, str(error.message))


# --- exit check -----------------------------------------------------------------------


@require_GET
@require_perm(Perm.VIEW)
def exit_check(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX fragment: the household's exit check for `?year=`, criterion by criterion."""
    household = _household(request, pk)
    default = rules.latest_year(household) or timezone.localdate().year
    year = _year(request, default)
    verdict = rules.household_exit_check(household, year)
    years = list(household.years.order_by("-year").values_list("year", flat=True))
    can_start = (
        verdict.passed
        and _can_edit(request)
        and household.registered_poor
        and household.status in rules.POOR_STATUSES
        and not household.procedures.filter(
            kind=Procedure.Kind.EXIT, outcome=Procedure.Outcome.OPEN
        ).exists()
    )
    context = {
        "household": household,
        "year": year,
        "years": years,
        "verdict": verdict,
        "can_start_exit": can_start,
    }
    return render(request, "registry/outcomes/_exit_check.html", context)


# --- procedures -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_perm(Perm.VIEW)
def procedure_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a procedure for the household; the refusal, if any, is shown on the form."""
    household = _household(request, pk)
    _require_any(request, Perm.EDIT_REGISTRY)
    initial = {"kind": request.GET.get("kind", "")}
    form = ProcedureStartForm(request.POST or None, initial=initial)
    refusal_verdict = None
    if request.method == "POST" and form.is_valid():
        try:
            procedure = procedures.do_start_procedure(
                household,
                form.cleaned_data["kind"],
                on=form.cleaned_data["date"],
                actor=request.user,
            )
        except ProcedureError as error:
            _add_refusal(form, error)
            refusal_verdict = error.verdict
        else:
            messages.success(request, _("The procedure has started."))
            return redirect("registry:procedure_detail", pk=procedure.pk)
    context = {
        "household": household,
        "household_url": household_url(household),
        "form": form,
        "verdict": refusal_verdict,
    }
    return render(request, "registry/outcomes/procedure_start.html", context)


@require_http_methods(["GET", "POST"])
@require_perm(Perm.VIEW)
def procedure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The steps done (date, actor, note) and, for an editor, the form of the next one."""
    procedure = get_in_scope(
        Procedure.objects.select_related("household", "household__village", "case"),
        request.scope,
        pk=pk,
    )
    if request.method == "POST":
        _require_any(request, Perm.EDIT_REGISTRY)
    upcoming = procedures.next_step(procedure)
    form = None
    # The next step is the county's or the township's: say so instead of a form.
    step_refusal = None
    if upcoming is not None and _can_edit(request):
        step_refusal = procedures.step_refusal(request.scope, procedure, upcoming[0])
        if step_refusal is None:
            form = StepForm(request.POST or None, initial={"step": upcoming[0]})
    if request.method == "POST" and step_refusal is not None:
        messages.error(request, str(step_refusal.message))
        return redirect("registry:procedure_detail", pk=procedure.pk)
    if request.method == "POST" and form is None:
        messages.error(request, _("The procedure is closed: nothing more can be recorded."))
        return redirect("registry:procedure_detail", pk=procedure.pk)
    if request.method == "POST" and form.is_valid():
        try:
            procedures.do_record_step(
                procedure,
                form.cleaned_data["step"],
                on=form.cleaned_data["date"],
                actor=request.user,
                note=form.cleaned_data["note"],
                approved=form.approved,
            )
        except ProcedureError as error:
            _add_refusal(form, error)
        else:
            messages.success(request, _("The step has been recorded."))
            return redirect("registry:procedure_detail", pk=procedure.pk)
    context = {
        "procedure": procedure,
        "household": procedure.household,
        "household_url": household_url(procedure.household),
        "steps": procedures.step_states(procedure),
        "upcoming": upcoming,
        "form": form,
        "step_refusal": step_refusal.message if step_refusal else None,
        "days_open": procedures.days_open(procedure),
        "status_changes": procedure.household.status_changes.filter(procedure=procedure),
    }
    return render(request, "registry/outcomes/procedure_detail.html", context)


# --- monitoring cases -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_perm(Perm.VIEW)
def risk_event_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a risk event from a phone; a first event opens a monitoring case."""
    household = _household(request, pk)
    _require_any(request, Perm.RECORD_VISITS, Perm.EDIT_REGISTRY)
    form = RiskEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = monitoring.do_record_risk_event(
                household,
                data["kind"],
                on=data["occurred_on"],
                note=data["note"],
                actor=request.user,
                route=data["route"],
            )
        except ProcedureError as error:
            _add_refusal(form, error)
        else:
            return _after_risk_event(request, household, event)
    context = {"household": household, "household_url": household_url(household), "form": form}
    return render(request, "registry/outcomes/risk_event_form.html", context)


def _after_risk_event(request: HttpRequest, household: Household, event: RiskEvent):
    if event.opened_case is not None:
        messages.success(
            request,
            _("The risk is recorded and a monitoring case is opened, its risk alert done."),
        )
        return redirect("registry:case_detail", pk=event.opened_case.pk)
    messages.success(request, _("The risk is recorded."))
    case = monitoring.active_case(household)
    if case is not None:
        return redirect("registry:case_detail", pk=case.pk)
    return redirect(household_url(household) or reverse("registry:monitoring_candidates"))


@require_POST
@require_perm(Perm.VIEW)
def risk_event_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_in_scope(RiskEvent.objects.select_related("household"), request.scope, pk=pk)
    _require_any(request, Perm.RECORD_VISITS, Perm.EDIT_REGISTRY)
    form = RiskResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the risk was resolved."))
    else:
        try:
            monitoring.do_resolve_risk_event(event, on=form.cleaned_data["resolved_on"])
        except ProcedureError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The risk is marked as resolved."))
    case = monitoring.active_case(event.household)
    if case is not None:
        return redirect("registry:case_detail", pk=case.pk)
    return redirect(household_url(event.household) or reverse("registry:monitoring_candidates"))


@require_http_methods(["GET", "POST"])
@require_perm(Perm.VIEW)
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    _require_any(request, Perm.RECORD_VISITS, Perm.EDIT_REGISTRY)
    form = MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            monitoring.do_add_measure(case, data["kind"], data["description"], data["started_on"])
        except ProcedureError as error:
            _add_refusal(form, error)
        else:
            messages.success(request, _("The measure has been added."))
            return redirect("registry:case_detail", pk=case.pk)
    context = {
        "case": case,
        "household": case.household,
        "household_url": household_url(case.household),
        "form": form,
    }
    return render(request, "registry/outcomes/measure_form.html", context)


@require_GET
@require_perm(Perm.VIEW)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A monitoring case: its procedures, measures, the household's risks, and whether its
    risk could be eliminated today."""
    case = _case(request, pk)
    today = timezone.localdate()
    check = elimination.risk_elimination_check(case, today)
    open_elimination = case.procedures.filter(
        kind=Procedure.Kind.RISK_ELIMINATION, outcome=Procedure.Outcome.OPEN
    ).exists()
    context = {
        "case": case,
        "household": case.household,
        "household_url": household_url(case.household),
        "procedures": case.procedures.order_by("started_on", "id"),
        "measures": case.measures.order_by("started_on", "id"),
        "risk_events": case.household.risk_events.order_by("-occurred_on", "-id"),
        "check": check,
        "today": today,
        "can_edit": _can_edit(request),
        "can_record": _can_record(request),
        "case_open": case.status in monitoring.ACTIVE_CASE_STATUSES,
        "can_start_elimination": (
            check.passed
            and case.status == monitoring.CaseStatus.MONITORED
            and not open_elimination
            and _can_edit(request)
        ),
        "resolve_form": RiskResolveForm(),
    }
    return render(request, "registry/outcomes/case_detail.html", context)


# --- lists ----------------------------------------------------------------------------


@require_GET
@require_perm(Perm.VIEW)
def monitoring_overdue(request: HttpRequest) -> HttpResponse:
    """Identifications for monitoring open longer than 15 days in scope, the oldest first."""
    today = timezone.localdate()
    overdue = open_identifications(request.scope, today).select_related(
        "household", "household__village", "case"
    )
    overdue, sort = sorted_by(
        request,
        overdue,
        {
            "household": "household__number",
            "village": ("household__village_id", "household__number"),
            "started": "open_since",
        },
        "started",
    )
    page = Paginator(overdue, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "procedure": procedure,
            "open_since": procedure.open_since,
            "days_open": (today - procedure.open_since).days,
            "next_step": procedures.next_step(procedure),
        }
        for procedure in page
    ]
    context = {"page": page, "rows": rows, "days": OVERDUE_DAYS, "sort": sort}
    return render(request, "registry/outcomes/monitoring_overdue.html", context)


@require_GET
@require_perm(Perm.VIEW)
def monitoring_candidates(request: HttpRequest) -> HttpResponse:
    """Households to consider for monitoring in `?year=` (by default the latest year with
    income recorded): income below the line that applies to them, or a risk."""
    year = _year(request, _latest_income_year(request))
    lines = monitoring.candidate_lines(year, request.scope)
    candidates, sort = sorted_by(
        request,
        monitoring.candidates(year, request.scope),
        {
            "household": "number",
            "village": ("village_id", "number"),
            "income": "income",
        },
        "village",
    )
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"household": h, "url": household_url(h)} for h in page]
    context = {
        "page": page,
        "rows": rows,
        "year": year,
        "lines": lines,
        "can_record": _can_record(request),
        "sort": sort,
    }
    return render(request, "registry/outcomes/monitoring_candidates.html", context)


@require_GET
@require_perm(Perm.VIEW)
def village_exit(request: HttpRequest, code: str) -> HttpResponse:
    village = get_in_scope(Region.objects.filter(level=Level.VILLAGE), request.scope, code=code)
    year = _year(request, _readiness_year(village.code))
    context = {
        "village": village,
        "year": year,
        "verdict": rules.village_exit_check(village.code, year),
        "county_code": village.code[:6],
        "western": rules.is_western(village.code),
    }
    return render(request, "registry/outcomes/village_exit.html", context)


def _county(request: HttpRequest, code: str) -> Region:
    """A county the user may look at: in scope, or the county their own scope lies in.

    A township officer sees the readiness of their own villages within their county; the
    list below is scoped village by village.
    """
    scope = request.scope
    if scope.contains(code):
        return get_in_scope(Region.objects.filter(level=Level.COUNTY), scope, code=code)
    own = scope.region_code
    if own and codes.is_region_code(code) and codes.contains(code, own):
        county = Region.objects.filter(level=Level.COUNTY, code=code).first()
        if county is not None:
            return county
    raise Http404


@require_GET
@require_perm(Perm.VIEW)
def county_readiness(request: HttpRequest, code: str) -> HttpResponse:
    """The county's villages with their exit verdicts for `?year=`: failing villages
    first, then those without a population recorded, then those ready."""
    county = _county(request, code)
    year = _year(request, _readiness_year(county.code))
    readiness = rules.county_readiness(county.code, year, request.scope)
    context = {
        "county": county,
        "year": year,
        "results": readiness.results,
        "failing": readiness.failing,
        "unchecked": readiness.unchecked,
        "passing": readiness.passing,
        "can_edit": _can_edit(request),
    }
    return render(request, "registry/outcomes/county_readiness.html", context)
