"""Recording the audit trail.

Models registered here are audited on every save and delete, whoever makes it (web, API,
command, admin): the before-values are captured when the object is loaded, and the event
is written in the same transaction as the change. Bulk paths record one event each.
"""

import datetime
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_init, post_save

from baolei.audit.context import current_actor
from baolei.audit.models import Action, AuditEvent

_registry: dict[type[models.Model], frozenset[str]] = {}  # model -> masked fields
_ignored: dict[type[models.Model], frozenset[str]] = {}  # model -> fields not audited
MASKED = "******"


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, FieldFile):  # the file's name: its bytes are not the log's to keep
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    masked = _registry.get(type(instance), frozenset())
    ignored = _ignored.get(type(instance), frozenset())
    values = {}
    for field in instance._meta.concrete_fields:
        if field.attname not in instance.__dict__:  # deferred: not loaded, not known
            continue
        if field.name in ignored or field.primary_key:
            continue
        value = _json_safe(field.value_from_object(instance))
        values[field.attname] = MASKED if field.name in masked and value else value
    return values


def region_code_of(instance: models.Model) -> str:
    path = getattr(type(instance), "scope_field", "")
    value: Any = instance
    for part in path.split("__") if path else []:
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value) if value is not None and value is not instance else ""


def record(
    action: str,
    *,
    instance: models.Model | None = None,
    model: str = "",
    object_pk: str = "",
    object_repr: str = "",
    region_code: str = "",
    changes: dict | None = None,
    extra: dict | None = None,
) -> AuditEvent:
    actor = current_actor()
    if instance is not None:
        model = model or instance._meta.label_lower
        object_pk = object_pk or str(instance.pk)
        object_repr = object_repr or str(instance)[:200]
        region_code = region_code or region_code_of(instance)
    return AuditEvent.objects.create(
        actor_id=actor.id,
        actor_name=actor.name[:150],
        channel=actor.channel,
        action=action,
        model=model,
        object_pk=object_pk,
        object_repr=object_repr[:200],
        region_code=region_code,
        changes=changes or {},
        extra=extra or {},
    )


def record_bulk(action: str, *, model: str, region_code: str = "", **details: Any) -> AuditEvent:
    """One event for a bulk operation: counts, file name and SHA-256 go in `details`."""
    return record(action, model=model, region_code=region_code, extra=_json_safe_dict(details))


def _json_safe_dict(details: dict[str, Any]) -> dict[str, Any]:
    return {str(key): _json_safe(value) for key, value in details.items()}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if name not in before or before[name] != value
    }


def _secrets(instance: models.Model) -> dict[str, Any]:
    """The real values of the masked fields, kept in memory only to notice a change."""
    masked = _registry.get(type(instance), frozenset())
    return {
        field.attname: field.value_from_object(instance)
        for field in instance._meta.concrete_fields
        if field.name in masked and field.attname in instance.__dict__
    }


def _on_init(sender, instance, **kwargs) -> None:
    instance._audit_before = snapshot(instance) if instance.pk is not None else {}
    instance._audit_secrets = _secrets(instance) if instance.pk is not None else {}


def _on_save(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:  # loaddata fixtures
        return
    current = snapshot(instance)
    after = current
    if created:  # a new row: its filled-in values are what matters
        after = {name: value for name, value in after.items() if value not in (None, "")}
    before = {} if created else getattr(instance, "_audit_before", {})
    changes = _diff(before, after)
    if not created:
        # A masked value reads ****** before and after: compare the real values instead.
        old_secrets = getattr(instance, "_audit_secrets", {})
        for name, value in _secrets(instance).items():
            if name in old_secrets and old_secrets[name] != value:
                changes.setdefault(name, [before.get(name), after.get(name)])
    if changes or created:
        record(Action.CREATE if created else Action.UPDATE, instance=instance, changes=changes)
    instance._audit_before = current
    instance._audit_secrets = _secrets(instance)


def _on_delete(sender, instance, **kwargs) -> None:
    before = snapshot(instance)
    record(
        Action.DELETE,
        instance=instance,
        changes={name: [value, None] for name, value in before.items()},
    )


def register(
    model: type[models.Model],
    exclude: set[str] | frozenset[str] = frozenset(),
    ignore: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Audit every save and delete of `model`.

    Values of `exclude` fields are masked (a change is recorded, not its value); `ignore`
    fields are bookkeeping that is not audited at all (e.g. the last login time).
    """
    _registry[model] = frozenset(exclude)
    _ignored[model] = frozenset(ignore)
    uid = f"audit:{model._meta.label_lower}"
    post_init.connect(_on_init, sender=model, dispatch_uid=uid + ":init", weak=False)
    post_save.connect(_on_save, sender=model, dispatch_uid=uid + ":save", weak=False)
    post_delete.connect(_on_delete, sender=model, dispatch_uid=uid + ":delete", weak=False)


def audited_models_registered() -> list[type[models.Model]]:
    """Every model whose changes are recorded, in the order they were registered."""
    return list(_registry)


def is_audited(model: type[models.Model]) -> bool:
    return model in _registry
