"""What the organisation's write paths share: their error, and the small checks every
one of them makes (the actor's scope, dates not in the future, required text, choices,
model validation, the one record of a person)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope
from baolei.messages import CodedError, lazy_format
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry.models import Person
from baolei.registry.services import (
    RegistryError,
    check_not_future,
    clean_model,
    person_for,
    unknown_fields,
)


class OrganisationError(CodedError):
    """A refusal: `code` for programs, `message` for people, `field` (None: the record as
    a whole) for the form input or import column at fault."""

    def __init__(self, code: str, message, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


# --- small checks ------------------------------------------------------------------------


def _scope_of(actor) -> Scope | None:
    if actor is None:
        return None
    return actor if isinstance(actor, Scope) else Scope.for_user(actor)


def may_set_up(scope: Scope) -> bool:
    """A new party organisation is set up by the township or the county (a scope above the
    village, or the whole country): a village branch edits itself, it does not found others."""
    return not scope.empty and (scope.region_code is None or len(scope.region_code) < 12)


def stale(message) -> OrganisationError:
    """The refusal of an edit started from a version someone else has since saved over."""
    return OrganisationError("stale", message)


def _actor_name(actor) -> str:
    if actor is None or isinstance(actor, Scope):
        from baolei.audit.context import current_actor

        return current_actor().name
    return getattr(actor, "full_name", "") or actor.get_username()


def _region(code: str, actor, field: str = "region_code", level: int | None = None) -> Region:
    """A region that exists (at `level` if given) and lies in the actor's scope."""
    code = str(code or "").strip()
    region = Region.objects.filter(code=code).first() if codes.is_region_code(code) else None
    if region is None or (level is not None and region.level != level):
        message = (
            _("There is no village with the code %(code)s.")
            if level == Level.VILLAGE
            else _("There is no region with the code %(code)s.")
        )
        raise OrganisationError("unknown_region", lazy_format(message, code=code), field=field)
    _in_scope(actor, region.code, field)
    return region


def _in_scope(actor, code: str, field: str) -> None:
    scope = _scope_of(actor)
    if scope is not None and not scope.contains(code):
        raise OrganisationError(
            "out_of_scope",
            lazy_format(_("The region %(code)s is outside your scope."), code=code),
            field=field,
        )


def _not_future(value: datetime.date | None, field: str) -> None:
    check_not_future(value, field, OrganisationError)


def _end_period(record, ended_on: datetime.date, code: str, message, field: str = "ended_on"):
    """End the record's period (a term, a link) on `ended_on`; refused with `code` and
    `message` when that comes before the period started."""
    if ended_on < record.started_on:
        raise OrganisationError(code, message, field=field)
    record.ended_on = ended_on
    record.save(update_fields=["ended_on"])


def _required_text(value: str | None, field: str, message) -> str:
    text = (value or "").strip()
    if not text:
        raise OrganisationError("required", message, field=field)
    return text


def _choice(value: Any, enumeration, field: str) -> str:
    value = getattr(value, "value", value)
    if value not in enumeration.values:
        raise OrganisationError(
            "unknown_value",
            lazy_format(_("Unknown value %(value)s."), value=str(value)),
            field=field,
        )
    return value


def _clean(instance, exclude: Iterable[str] = ()) -> None:
    clean_model(instance, exclude, OrganisationError)


def _person(actor, id_number: str, name: str, region_code: str, field_prefix: str = "") -> Person:
    """The registry's one record of a person (refused when registered outside the
    actor's scope); its refusals renamed to our fields."""
    try:
        return person_for(actor, id_number, name, region_code)
    except RegistryError as error:
        raise OrganisationError(
            error.code, error.message, field=f"{field_prefix}{error.field or 'id_number'}"
        ) from None


def _unknown(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown_fields(fields, allowed, OrganisationError)
