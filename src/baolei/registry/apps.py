from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "baolei.registry"
    label = "registry"
    verbose_name = _("Registry and outcomes")

    def ready(self) -> None:
        from baolei.audit import services as audit
        from baolei.registry import models

        for model in (
            models.Person,
            models.Household,
            models.Member,
            models.HouseholdYear,
            models.AnnualStandard,
            models.StatusChange,
            models.Procedure,
            models.ProcedureStep,
            models.Helper,
            models.Pairing,
            models.Visit,
            models.RiskEvent,
            models.MonitoringCase,
            models.AssistanceMeasure,
        ):
            audit.register(model, exclude={"id_number"} if model is models.Person else set())
