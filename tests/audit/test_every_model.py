"""The audit page shows an event of every audited model, whatever its fields hold.

Parametrised over the audit registry itself, so that a model registered later is tested
too: once with an event written by saving a real instance (where a factory exists), and
once with an event whose changes fill every field with a value of the field's type (JSON
objects and lists, timestamps, foreign keys, choices…), which is what broke the page."""

import datetime
import importlib
import inspect
import pkgutil

import pytest
from django.db import models
from django.utils.html import escape

import tests
from baolei.audit import services as audit
from baolei.audit.models import Action, AuditEvent, Channel

pytestmark = pytest.mark.django_db

PAGE = "/audit/"
AUDITED = sorted(audit._registry, key=lambda model: model._meta.label_lower)


def _factories() -> dict[type[models.Model], type]:
    from factory.django import DjangoModelFactory

    found = {}
    for module_info in pkgutil.walk_packages(tests.__path__, "tests."):
        if not module_info.name.rsplit(".", 1)[-1].startswith("factories"):
            continue
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, DjangoModelFactory) and value._meta.model is not None:
                found.setdefault(value._meta.model, value)
    return found


FACTORIES = _factories()


def _sample(field: models.Field, second: bool = False):
    """A value as the audit snapshot stores it (JSON-safe) for a field of this type."""
    if field.choices:
        values = [value for value, _ in field.flatchoices]
        return values[-1] if second else values[0]
    if isinstance(field, models.JSONField):
        return ["甲", {"k": 1}] if second else {"note": "样例", "items": [1, 2]}
    if isinstance(field, models.BooleanField):
        return not second
    if isinstance(field, models.DateTimeField):
        return "2025-03-01T02:30:00+00:00"
    if isinstance(field, models.DateField):
        return "2025-03-01"
    if isinstance(field, models.TimeField):
        return "08:30:00"
    if isinstance(field, models.DecimalField):
        return "12.50"
    if isinstance(field, models.ForeignKey):
        return 987654321  # gone (or never was): shown as #id
    if isinstance(field, models.IntegerField | models.FloatField):
        return 7
    if isinstance(field, models.FileField):
        return "uploads/样例.pdf"
    return "样例值"


def _page(client, **params) -> str:
    response = client.get(PAGE, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("model", AUDITED, ids=lambda model: model._meta.label_lower)
def test_an_event_with_every_field_filled_is_shown(client_sysadmin, model):
    label = model._meta.label_lower
    changes = {
        field.attname: [_sample(field), _sample(field, second=True)]
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    AuditEvent.objects.create(
        at=datetime.datetime(2025, 3, 1, 2, 30, tzinfo=datetime.UTC),
        actor_name="command:root",
        channel=Channel.COMMAND,
        action=Action.UPDATE,
        model=label,
        object_pk="1",
        object_repr=f"marker-{label}",
        region_code="420222100",
        changes=changes,
    )
    for page in (_page(client_sysadmin), _page(client_sysadmin, model=label)):
        assert f"marker-{label}" in page
        assert escape(str(model._meta.verbose_name)) in page


@pytest.mark.parametrize(
    "model",
    [model for model in AUDITED if model in FACTORIES],
    ids=lambda model: model._meta.label_lower,
)
def test_the_event_of_a_saved_instance_is_shown(client_sysadmin, model):
    instance = FACTORIES[model]()
    label = model._meta.label_lower
    assert AuditEvent.objects.filter(model=label, object_pk=str(instance.pk)).exists()
    for page in (_page(client_sysadmin), _page(client_sysadmin, model=label)):
        assert escape(str(instance)[:200]) in page
        assert escape(str(model._meta.verbose_name)) in page
