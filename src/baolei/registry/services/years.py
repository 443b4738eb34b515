"""A household's income and assurances for one year, and its per-capita net income.

Separate from the household and member writes: a year is written whole, from its own
form, API call or import, and has its own checks (amounts, yes/no/not known).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from baolei.messages import lazy_format
from baolei.registry import choices
from baolei.registry.models import Household, HouseholdYear, Member
from baolei.registry.services.people import RegistryError, _check_year, clean_model, unknown_fields

INCOME_FIELDS = ("wages", "production_business", "property_income", "transfers", "production_costs")
ASSURANCE_FIELDS = tuple(name for name, _label in choices.ASSURANCES)


def _money(name: str, value: Any) -> Decimal:
    label = HouseholdYear._meta.get_field(name).verbose_name
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        raise RegistryError(
            "not_a_number",
            lazy_format(_("%(field)s: %(value)s is not an amount."), field=label, value=value),
            field=name,
        ) from None
    if not amount.is_finite() or amount < 0:
        raise RegistryError(
            "negative",
            lazy_format(_("%(field)s cannot be negative."), field=label),
            field=name,
        )
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def do_save_household_year(
    actor,
    household: Household,
    year: int,
    *,
    member_count: int | None = None,
    assurance_notes: dict[str, str] | None = None,
    **values: Any,
) -> HouseholdYear:
    """Write a household's income and assurances for one year (all of them: a value not
    given is zero, or "not known" for an assurance), and its per-capita net income.

    `member_count` defaults to the household's members today."""
    unknown_fields(values, set(INCOME_FIELDS) | set(ASSURANCE_FIELDS))
    _check_year(year, "year")
    record = HouseholdYear.objects.filter(household=household, year=year).first()
    if record is None:
        record = HouseholdYear(household=household, year=year)
    for name in INCOME_FIELDS:
        setattr(record, name, _money(name, values.get(name)))
    for name in ASSURANCE_FIELDS:
        value = values.get(name)
        if value not in (None, True, False):
            raise RegistryError(
                "not_a_boolean",
                lazy_format(_("%(field)s: answer yes, no or not known."), field=name),
                field=name,
            )
        setattr(record, name, value)
    notes = assurance_notes or {}
    unknown_fields(notes, ASSURANCE_FIELDS)
    record.assurance_notes = {k: str(v).strip() for k, v in notes.items() if str(v or "").strip()}
    if member_count is None:
        member_count = max(Member.objects.filter(household=household).count(), 1)
    if member_count < 1:
        raise RegistryError(
            "member_count", _("A household counts at least one member."), field="member_count"
        )
    record.member_count = member_count
    record.per_capita_net_income = record.compute_per_capita()
    # The assurances were checked above: yes, no, or None for "not known".
    clean_model(record, exclude=["household", *ASSURANCE_FIELDS])
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise RegistryError(
            "concurrent", _("This year was saved by someone else just now; try again.")
        ) from None
    return record
