from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "baolei.organisation"
    label = "organisation"
    verbose_name = _("Party organisation")

    def ready(self) -> None:
        from baolei.audit import services as audit

        # Every model of the app, the grading part's included: a record of party
        # organisation work that changed without a trace would be worthless. The
        # many-to-many tables Django creates are not models anyone saves.
        for model in self.get_models():
            if not model._meta.auto_created:
                audit.register(model)
