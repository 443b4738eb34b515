from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "baolei.talent"
    label = "talent"
    verbose_name = _("Rural talent")

    def ready(self) -> None:
        from baolei.audit import services as audit
        from baolei.talent import models

        for model in (
            models.Talent,
            models.TalentStep,
            models.Studio,
            models.Expert,
            models.ServedVillage,
            models.ServiceRequest,
            models.ServiceDelivery,
            models.FollowUp,
            models.Course,
            models.Enrolment,
        ):
            audit.register(model)
