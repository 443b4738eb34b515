from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_triggers(sender, using, **kwargs) -> None:
    from django.db import connections

    from baolei.dashboard.services import facts, triggers

    triggers.install(connections[using], list(facts.registered().sources.values()))


class DashboardConfig(AppConfig):
    """What a place has and how it stands, read from every other app: above them all, so
    that none of them depends on it."""

    name = "baolei.dashboard"
    verbose_name = _("Command centre")

    def ready(self) -> None:
        from baolei.dashboard.services import facts

        facts.registered()  # every app's `indicators` module, loaded once at start-up
        # After every migrate, since SQLite drops a table's triggers when it rebuilds it.
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="baolei_triggers")
