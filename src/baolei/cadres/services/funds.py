"""The work-fund ledger of a work team (工作经费台账): allocations to the team and its
expenditures, each dated with its purpose, and the totals.

The team's `funds` is the amount planned for its term (edited with the team); the ledger is
what was actually allocated and spent. Its balance (allocated less spent) never goes below
zero: an expenditure larger than the balance is refused, so that money is recorded as
allocated before it is recorded as spent. Lines are only added, never changed: a mistake
is put right by a line the other way, and the audit trail keeps who entered what.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope
from baolei.cadres.models import FundKind, WorkFundEntry, WorkTeam
from baolei.cadres.services.teams import TeamsError, _check_in_scope
from baolei.messages import lazy_format

CENT = Decimal("0.01")


@dataclass(frozen=True)
class FundTotals:
    planned: Decimal
    allocated: Decimal
    spent: Decimal

    @property
    def balance(self) -> Decimal:
        return self.allocated - self.spent


def _sum(kind: str):
    return Coalesce(
        Sum("amount", filter=Q(kind=kind)),
        Value(Decimal(0)),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def totals_by_team(teams: QuerySet[WorkTeam] | list[WorkTeam]) -> dict[int, FundTotals]:
    """Team id → its totals, for a list of teams in one query."""
    teams = list(teams)
    sums = {
        row["team_id"]: row
        for row in WorkFundEntry.objects.filter(team__in=teams)
        .values("team_id")
        .annotate(allocated=_sum(FundKind.ALLOCATION), spent=_sum(FundKind.EXPENDITURE))
        .order_by()
    }

    def money(team_id: int, name: str) -> Decimal:
        # SQLite sums decimals without their scale: "1000", not "1000.00"
        return Decimal(sums.get(team_id, {}).get(name) or 0).quantize(CENT)

    return {
        team.pk: FundTotals(team.funds, money(team.pk, "allocated"), money(team.pk, "spent"))
        for team in teams
    }


def totals(team: WorkTeam) -> FundTotals:
    return totals_by_team([team])[team.pk]


@transaction.atomic
def do_add_fund_entry(
    actor, team: WorkTeam, kind: str, date: datetime.date, amount, purpose: str
) -> WorkFundEntry:
    """One line of the ledger, dated within the team's term so far (not before it started,
    not after it ended, not in the future). The team's row is locked, so that two
    expenditures entered at once cannot both spend the same balance."""
    team = WorkTeam.objects.select_for_update().get(pk=team.pk)
    _check_in_scope(actor, team.village_id)
    if kind not in FundKind.values:
        raise TeamsError("kind", _("Choose allocated or spent."), field="kind")
    amount = Decimal(str(amount)).quantize(CENT)
    if amount <= 0:
        raise TeamsError("amount", _("Enter an amount above zero."), field="amount")
    if not str(purpose or "").strip():
        raise TeamsError("purpose", _("Give the purpose."), field="purpose")
    if date > timezone.localdate():
        raise TeamsError("future", _("The date cannot be in the future."), field="date")
    if date < team.starts_on:
        raise TeamsError(
            "before_team",
            lazy_format(_("The team's term starts on %(date)s."), date=team.starts_on.isoformat()),
            field="date",
        )
    if team.ended_on is not None and date > team.ended_on:
        raise TeamsError(
            "after_team",
            lazy_format(
                _("The team left the village on %(date)s."), date=team.ended_on.isoformat()
            ),
            field="date",
        )
    if kind == FundKind.EXPENDITURE:
        balance = totals(team).balance
        if amount > balance:
            raise TeamsError(
                "over_balance",
                lazy_format(
                    _("Only %(balance)s yuan allocated to the team is left to spend."),
                    balance=f"{balance:,.2f}",
                ),
                field="amount",
            )
    user = actor if actor is not None and not isinstance(actor, Scope) else None
    return WorkFundEntry.objects.create(
        team=team,
        kind=kind,
        date=date,
        amount=amount,
        purpose=purpose.strip(),
        entered_by=user,
    )
