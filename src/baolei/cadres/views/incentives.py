"""The incentive ranking (its page, its export) and the decisions recorded from it.

The ranking is computed on the cadres in the viewer's scope with the period and weights
of the form (see `services.ranking` for the formula). A decision freezes the cadre's entry —
score, terms, weights, period, rank — as its basis.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import scoped
from baolei.cadres.forms.cadres import DecisionForm, RankingForm
from baolei.cadres.models import Cadre, DisciplinaryRecord
from baolei.cadres.services import cadres as services
from baolei.cadres.services import ranking
from baolei.cadres.views.cadres import (
    cadre_in_scope,
    export_name,
    sees_discipline,
    shown_id,
)
from baolei.imports import exporting
from baolei.pages import apply_error, sorted_by
from baolei.registry.services import shown_id_number

PAGE_SIZE = 50


def _ranking(request: HttpRequest, params):
    """The form and the ranked entries; None for invalid filters."""
    form = RankingForm(params or None, scope=request.scope)
    if form.is_bound and not form.is_valid():
        return form, None
    cadres = services.filter_cadres(scoped(Cadre.objects.all(), request.scope), form.filters())
    return form, ranking.rank(cadres, form.period(), form.weights())


def _flag_discipline(request: HttpRequest, entries: list) -> None:
    if not sees_discipline(request):
        return
    flagged = set(
        DisciplinaryRecord.objects.filter(
            services.in_effect(), cadre_id__in=[entry.cadre.pk for entry in entries]
        ).values_list("cadre_id", flat=True)
    )
    for entry in entries:
        entry.extra["has_discipline"] = entry.cadre.pk in flagged


@require_perm(Perm.VIEW)
def ranking_page(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop("page", None)
    form, entries = _ranking(request, params)
    entries, sort = sorted_by(
        request,
        list(entries or []),
        {
            "rank": "rank",
            "name": ("cadre.person.name", "rank"),
            "unit": ("cadre.unit", "rank"),
        },
        "rank",
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    _flag_discipline(request, list(page))
    for entry in page:
        entry.cadre.shown_id_number = shown_id(request, entry.cadre.person)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "query": query.urlencode(),
        "period": form.period(),
        "weights": form.weights(),
        "weight_labels": [
            (ranking.WEIGHT_LABELS[name], getattr(form.weights(), name))
            for name in ranking.Weights.names()
        ],
        "sees_discipline": sees_discipline(request),
        "can_edit": request.scope.can(Perm.MANAGE_CADRES),
    }
    return render(request, "cadres/ranking.html", context)


RANKING_HEADER = [
    "排名",
    "姓名",
    "身份证号",
    "工作单位",
    "职务",
    "得分",
    "带动脱贫户数",
    "消除风险数",
    "项目数",
    "走访次数",
    "其他实绩",
    "考核年度",
    "考核分数",
]


@require_perm(Perm.VIEW)
def ranking_export(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop("format", None)
    form, entries = _ranking(request, params)
    if entries is None:
        raise Http404
    reveal = request.scope.can(Perm.SEE_PERSONAL_DATA)
    discipline = sees_discipline(request)
    _flag_discipline(request, entries)

    def rows():
        for entry in entries:
            person = entry.cadre.person
            counts = {term.key: term.count for term in entry.terms}
            row = [
                entry.rank,
                person.name,
                shown_id_number(request.scope, person.id_number),
                entry.cadre.unit,
                entry.cadre.post,
                entry.score,
                *(int(counts[kind]) for kind in ranking.TERM_ORDER),
                entry.assessment_year or "",
                entry.assessment_score if entry.assessment_score is not None else "",
            ]
            if discipline:
                row.append("是" if entry.extra.get("has_discipline") else "否")
            yield row

    period = form.period()
    return exporting.export_response(
        request,
        header=[*RANKING_HEADER, "处分影响期内"] if discipline else RANKING_HEADER,
        rows=rows(),
        filename=export_name(request, "干部实绩排名"),
        model="cadres.cadre",
        filters=form.cleaned_data if form.is_bound else {},
        count=lambda: len(entries),
        sheet_name="干部实绩排名",
        text_columns=[2],
        details={
            "masked": not reveal,
            "discipline": discipline,
            "period": [period.start.isoformat(), period.end.isoformat()],
            "weights": form.weights().as_json(),
        },
    )


@require_perm(Perm.MANAGE_CADRES)
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision for a cadre; its basis is the cadre's entry in the ranking of
    the viewer's scope, with the period and weights the ranking page was showing."""
    cadre = cadre_in_scope(request, pk)
    ranking_form = RankingForm(request.GET or None, scope=request.scope)
    if ranking_form.is_bound and not ranking_form.is_valid():
        ranking_form = RankingForm(None, scope=request.scope)
    period, weights = ranking_form.period(), ranking_form.weights()
    cadres = services.filter_cadres(
        scoped(Cadre.objects.all(), request.scope), ranking_form.filters()
    )
    if not cadres.filter(pk=cadre.pk).exists():
        cadres = scoped(Cadre.objects.all(), request.scope)
    entry = ranking.entry_for(cadre, cadres, period, weights)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_record_decision(
                request.user, cadre, basis=entry.basis(weights, period), **form.cleaned_data
            )
        except services.CadreError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("cadres:cadre_detail", pk=cadre.pk)
    context = {"form": form, "cadre": cadre, "entry": entry, "period": period}
    return render(request, "cadres/decision_form.html", context)
