"""Recording the audit trail.

Models registered here are audited on every save and delete, whoever makes it (web, API,
command, admin): the before-values are captured when the object is loaded, and the event
is written in the same transaction as the change. Bulk paths record one event each.
"""

import datetime
import decimal
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, scoped
from baolei.audit.context import current_actor
from baolei.audit.models import Action, AuditEvent, Channel
from baolei.regions.models import Region

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


def is_audited(model: type[models.Model]) -> bool:
    return model in _registry


# --- Showing the trail ---------------------------------------------------------------
#
# Events keep what was true when they were written (attribute names, primary keys, codes,
# UTC timestamps) so that the record never depends on today's code or data. Turning that
# into something a person reads happens here, once per page.

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
EMPTY = _("(empty)")

# Fields declared without a label get Django's automatic one ("entered by"); these are
# the ones the catalogue must know. A foreign key named after its model takes the
# model's name instead ("household" → 农户).
_AUTOMATIC_LABELS = (
    gettext_noop("entered by"),
    gettext_noop("created by"),
    gettext_noop("key hash"),
)

# Keys of the details of bulk events (imports, exports, generated data).
_DETAIL_LABELS = {
    "rows": _("rows"),
    "filename": _("file name"),
    "format": _("file format"),
    "filters": _("filters"),
    "sha256": "SHA-256",
    "job": _("import job"),
    "kind": _("kind"),
    "counts": _("counts"),
    "seed": _("random seed"),
    "as_of": _("as of"),
    "generator": _("generated by"),
    "failures": _("failed attempts"),
    "locked_until": _("locked until"),
    "inserted": _("inserted"),
    "updated": _("rows updated"),
    "unchanged": _("unchanged"),
    "seconds": _("seconds taken"),
    "region_code": _("region"),
    "regions": _("regions"),
    "year": _("year"),
    "villages": _("villages"),
    "people": _("people"),
    "only": _("limited to region"),
    "full": _("full register"),
}

# Character fields that hold several choice codes in one string.
_CODE_LISTS = {("talent.talent", "skills"): "baolei.talent.choices.Skill"}

_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    at: str
    actor: str
    channel: str  # shown beside a user's name; "" when the actor label already says it
    action: str
    model: str
    object: str
    region: str
    changes: list[ChangeRow]
    details: list[tuple[str, str]]


def _model_of(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def model_name(label: str) -> str:
    model = _model_of(label)
    return str(model._meta.verbose_name) if model else label


def audited_models(hidden: Iterable[str] = ()) -> list[tuple[str, list[tuple[str, str]]]]:
    """The model picker: (app name, [(label, model name)]) in the viewer's language,
    without the models whose events the viewer may not see."""
    hidden = set(hidden)
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for model in _registry:
        label = model._meta.label_lower
        if label not in hidden:
            app = str(apps.get_app_config(model._meta.app_label).verbose_name)
            groups[app].append((label, str(model._meta.verbose_name)))
    return [(app, sorted(entries, key=lambda entry: entry[1])) for app, entries in groups.items()]


def _fields(model: type[models.Model] | None) -> dict[str, models.Field]:
    if model is None:
        return {}
    fields: dict[str, models.Field] = {}
    for field in model._meta.get_fields():
        if field.concrete or (field.many_to_many and not field.auto_created):
            fields[getattr(field, "attname", field.name)] = field
            fields.setdefault(field.name, field)
    return fields


def field_label(field: models.Field) -> str:
    automatic = field.name.replace("_", " ")
    if str(field.verbose_name) != automatic:
        return str(field.verbose_name)
    related = field.related_model if field.is_relation else None
    if related is not None and related._meta.model_name == field.name.replace("_", ""):
        return str(related._meta.verbose_name)
    return gettext(automatic)


def _is_region_code(field: models.Field | None) -> bool:
    return isinstance(field, models.CharField) and field.name == "region_code"


def _pairs(event: AuditEvent) -> list[tuple[str, list[Any]]]:
    changes = event.changes if isinstance(event.changes, dict) else {}
    return [
        (name, pair) for name, pair in changes.items() if isinstance(pair, list) and len(pair) == 2
    ]


def _keys(value: Any) -> list[Any]:
    values = value if isinstance(value, list) else [value]
    return [
        item
        for item in values
        if not isinstance(item, dict | list | bool) and item not in (None, "", MASKED)
    ]


def _names(model: type[models.Model], keys: set[Any], scope: Scope) -> dict[str, str]:
    """str() of the objects with these primary keys that the viewer may see, in one query.

    What is gone, out of the viewer's scope, or of a kind they may not read is left out and
    so shown by its number."""
    permission = getattr(model, "audit_permission", None)
    if permission and not scope.can(permission):
        return {}
    pk = model._meta.pk
    wanted = set()
    for key in keys:
        try:
            wanted.add(pk.to_python(key))
        except (ValidationError, TypeError, ValueError):
            continue
    if not wanted:
        return {}
    queryset = model._default_manager.filter(pk__in=wanted)
    # Accounts are named beside every event anyway; everything else stays in the scope.
    if getattr(model, "scope_field", None) and model is not get_user_model():
        queryset = scoped(queryset, scope)
    # __str__ often reads a parent (a cadre's person): fetch those in the same query.
    parents = [
        field.name for field in model._meta.concrete_fields if field.many_to_one and not field.null
    ]
    return {str(obj.pk): str(obj) for obj in queryset.select_related(*parents)}


def _local_time(value: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).strftime(TIME_FORMAT)


def _plain(value: Any, labels: dict[str, models.Field] | None = None) -> str:
    """A JSON value as text: yes/no, local times, `key: value` with the keys' labels."""
    if value is None or value == "":
        return str(EMPTY)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dict):
        labels = labels or {}
        return "；".join(
            f"{field_label(labels[key]) if key in labels else _DETAIL_LABELS.get(key, key)}: "
            f"{_plain(item, labels)}"
            for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return "、".join(_plain(item, labels) for item in value)
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        return _local_time(value)
    return str(value)


class _Presenter:
    def __init__(self, events: list[AuditEvent], scope: Scope):
        self.scope = scope
        self.models = {event.model: _model_of(event.model) for event in events}
        self.fields = {label: _fields(model) for label, model in self.models.items()}
        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        for event in events:
            fields = self.fields[event.model]
            for name, pair in _pairs(event):
                field = fields.get(name)
                if field is not None and field.is_relation and field.related_model:
                    for value in pair:
                        wanted[field.related_model].update(_keys(value))
        self.names = {model: _names(model, keys, scope) for model, keys in wanted.items()}
        actor_ids = {event.actor_id for event in events if event.actor_id is not None}
        users = get_user_model()._default_manager.filter(pk__in=actor_ids) if actor_ids else []
        self.users = {user.pk: str(user) for user in users}
        region_codes = {event.region_code for event in events if event.region_code}
        for event in events:  # division codes kept as text are named like a region key
            fields = self.fields[event.model]
            for name, pair in _pairs(event):
                if _is_region_code(fields.get(name)):
                    region_codes.update(value for value in pair if isinstance(value, str))
        self.regions = (
            dict(Region.objects.filter(code__in=region_codes).values_list("code", "name"))
            if region_codes
            else {}
        )

    def value(self, model_label: str, field: models.Field | None, value: Any) -> str:
        if value is None or value == "":
            return str(EMPTY)
        if value == MASKED:
            return MASKED
        if field is None:
            return _plain(value)
        if field.is_relation and field.related_model:
            names = self.names.get(field.related_model, {})
            items = value if isinstance(value, list) else [value]
            return "、".join(names.get(str(item), f"#{item}") for item in items)
        if isinstance(value, list | dict):
            return _plain(value, self.fields[model_label])
        if _is_region_code(field) and value in self.regions:
            return f"{self.regions[value]} ({value})"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        codes = _CODE_LISTS.get((model_label, field.name))
        if codes and isinstance(value, str):
            choices = dict(import_string(codes).choices)
            return "、".join(str(choices.get(code, code)) for code in value.split(",") if code)
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            return _local_time(value)
        return _plain(value)

    def actor(self, event: AuditEvent) -> tuple[str, str]:
        if event.actor_id in self.users:
            return self.users[event.actor_id], str(event.get_channel_display())
        prefix, _sep, name = event.actor_name.partition(":")
        if name and prefix in Channel.values:
            return f"{Channel(prefix).label} ({name})", ""
        if event.actor_name == "anonymous":
            return gettext("anonymous visitor"), str(event.get_channel_display())
        return event.actor_name, str(event.get_channel_display())

    def row(self, event: AuditEvent) -> EventRow:
        fields = self.fields[event.model]
        changes = []
        for name, (before, after) in _pairs(event):
            field = fields.get(name)
            label = field_label(field) if field is not None else name
            changes.append(
                ChangeRow(
                    label,
                    self.value(event.model, field, before),
                    self.value(event.model, field, after),
                )
            )
        extra = event.extra if isinstance(event.extra, dict) else {}
        details = [
            (str(_DETAIL_LABELS.get(key, key)), _plain(value)) for key, value in extra.items()
        ]
        actor, channel = self.actor(event)
        model = self.models[event.model]
        return EventRow(
            event=event,
            at=timezone.localtime(event.at).strftime(TIME_FORMAT),
            actor=actor,
            channel=channel,
            action=str(event.get_action_display()),
            model=str(model._meta.verbose_name) if model else event.model,
            object=event.object_repr,
            region=self.regions.get(event.region_code, event.region_code),
            changes=changes,
            details=details,
        )


def present(events: Iterable[AuditEvent], scope: Scope) -> list[EventRow]:
    """Display rows for one page of events: names, labels and local times, with the
    objects the changes refer to looked up once per page, not once per value."""
    events = list(events)
    presenter = _Presenter(events, scope)
    return [presenter.row(event) for event in events]
