"""Optimistic locking for the edit forms of organisation, cadres and talent (the registry's
households have their own, `registry.services.households`, which this follows).

A versioned model has `version`; an edit form carries the version it was opened at; the
update service claims it with `UPDATE … SET version = version + 1 WHERE id AND version =
expected` inside its transaction, so of two saves made from the same version exactly one
passes and the other is refused with nothing overwritten. A caller without a version (an
API client that sends none) still bumps it, so that forms opened before notice the change.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.messages import lazy_format

VERSION_FIELD = "version"


def version_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(_("version"), default=1, editable=False)


def carry(form: forms.BaseForm, instance: models.Model) -> None:
    """Give an edit form the hidden version of the record it was opened on."""
    form.fields[VERSION_FIELD] = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, initial=instance.version
    )


def expected(form: forms.BaseForm) -> int | None:
    """The version the (valid) form was opened at, taken out of its cleaned data."""
    return form.cleaned_data.pop(VERSION_FIELD, None)


def stale_message(instance: models.Model):
    """Who saved the record last, and when, from the audit trail where it says."""
    from baolei.audit.models import AuditEvent

    last = (
        AuditEvent.objects.filter(model=instance._meta.label_lower, object_pk=str(instance.pk))
        .order_by("-at", "-id")
        .values("actor_name", "at")
        .first()
    )
    if last is None:
        return _(
            "Someone else saved this record after you opened it. Nothing was changed: "
            "reload the page and redo your change."
        )
    return lazy_format(
        _(
            "Someone else (%(who)s) saved this record at %(when)s, after you opened it. "
            "Nothing was changed: reload the page and redo your change."
        ),
        who=last["actor_name"],
        when=timezone.localtime(last["at"]).strftime("%Y-%m-%d %H:%M:%S"),
    )


def claim(instance: models.Model, expected_version: int | None, refuse: Callable) -> None:
    """Claim the next version of `instance` (call inside the update's transaction, before
    writing). `refuse(message)` builds the app's error, raised when the record was saved
    since `expected_version`."""
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    if expected_version is None:
        rows.update(version=F("version") + 1)
        instance.version = rows.values_list("version", flat=True).get()
        return
    if not rows.filter(version=expected_version).update(version=expected_version + 1):
        raise refuse(stale_message(instance))
    instance.version = expected_version + 1
