"""Pages that change a work team itself: its edit page (dispatching unit, end of term,
planned work funds) and the lines of its work-fund ledger. Reached through the scoped
team, written through `services.teams` and `services.funds`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from baolei import versioning
from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope
from baolei.cadres.forms.teams import FundEntryForm, TeamEditForm
from baolei.cadres.models import WorkTeam
from baolei.cadres.services import funds as services_funds
from baolei.cadres.services import teams as services
from baolei.cadres.views.teams import _form_page, _team_form_post, _team_url, _teams
from baolei.cadres.views.teams import _warn_short_term as warn_short_term


@require_perm(Perm.MANAGE_CADRES)
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The form carries the team's version: a save made since it was opened makes this
    one refused, nothing overwritten."""
    team = get_in_scope(_teams(request), request.scope, pk=pk)
    initial = {f: getattr(team, f) for f in services.TEAM_FIELDS}
    form = TeamEditForm(request.POST or None, initial=initial)
    versioning.carry(form, team)

    def save(data):
        expected_version = versioning.expected(form)
        changed = {f: data[f] for f in services.TEAM_FIELDS if data[f] != initial[f]}
        if changed:
            saved = services.do_update_team(
                request.user, team, expected_version=expected_version, **changed
            )
            _warn_short_term(request, saved)

    title = _("Edit the work team")
    success = _("The work team was saved.")
    return _form_page(request, form, save, success, _team_url(team.pk), team, title)


def _warn_short_term(request: HttpRequest, team: WorkTeam) -> None:
    """A term cut short may leave the first secretary less than a full term: allowed (the
    term is the county's to set) but said, as when a successor is rotated in."""
    current = services.current_first_secretary(team)
    if current is not None:
        current.team = team
        warn_short_term(request, current)


@require_perm(Perm.MANAGE_CADRES)
def fund_add(request: HttpRequest, pk: int) -> HttpResponse:
    def add(team, data):
        services_funds.do_add_fund_entry(
            request.user, team, data["kind"], data["date"], data["amount"], data["purpose"]
        )

    return _team_form_post(request, pk, FundEntryForm, add, _("The entry was added."))
