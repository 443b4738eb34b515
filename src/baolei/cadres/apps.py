from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "baolei.cadres"
    label = "cadres"
    verbose_name = _("Cadres and first secretaries")

    def ready(self) -> None:
        from baolei.audit import services as audit
        from baolei.cadres import models

        for model in (
            models.Cadre,
            models.DisciplinaryRecord,
            models.Assessment,
            models.IncentiveDecision,
            models.LeaderCandidate,
            models.LeaderDevelopment,
            models.WorkTeam,
            models.WorkFundEntry,
            models.TeamMember,
            models.Duty,
            models.AttendanceRule,
            models.AttendanceMonth,
            models.LeaveRequest,
            models.SelectionRules,
            models.Candidate,
            models.VillageProfile,
            models.MatchingRun,
            models.MatchingPair,
            models.Achievement,
        ):
            audit.register(model)
