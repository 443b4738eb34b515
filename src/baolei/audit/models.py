from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    BULK_LOAD = "bulk_load", _("Bulk load")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    LOGIN_LOCKED = "login_locked", _("Login locked out")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    COMMAND = "command", _("Command")
    SYSTEM = "system", _("System")


class AuditEvent(models.Model):
    """One change, append-only.

    The actor is kept by id and name rather than a foreign key so that deleting a user
    never has to touch (and so could never rewrite) the events they caused. Database
    triggers refuse UPDATE and DELETE on this table; see the migrations.
    """

    scope_field = "region_code"

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    model = models.CharField(_("object type"), max_length=64, blank=True)
    object_pk = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_pk"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("audit events are append-only")
