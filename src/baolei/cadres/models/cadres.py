"""Cadre records (干部档案), front-line achievements (实绩档案), assessments, incentive
decisions and the village leader pool (村级带头人队伍).

Every record reaches a region code: a cadre carries the region where they work, the
records of a cadre scope through the cadre, achievements through the village they were
made in, and leader candidates through their village.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.cadres.choices import (
    AchievementKind,
    DevelopmentStep,
    DisciplineKind,
    Education,
    Grade,
    IncentiveKind,
    LeaderCategory,
    LeaderSource,
    PoliticalStatus,
    Rank,
)
from baolei.versioning import version_field


class Cadre(models.Model):
    """A cadre's file: one per person. `helper` is the registry's 帮扶责任人 record of the
    same person, when there is one: the achievements computed from the register (pairings,
    exits, visits) are reached through it."""

    scope_field = "region_code"
    # Optimistic locking of the edit form (baolei.versioning).
    version = version_field()

    person = models.OneToOneField(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="cadre"
    )
    region_code = models.CharField(_("works in (region code)"), max_length=12, db_index=True)
    unit = models.CharField(_("work unit"), max_length=120)
    rank = models.CharField(_("rank"), max_length=24, choices=Rank.choices)
    post = models.CharField(_("post"), max_length=64, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=24, choices=PoliticalStatus.choices
    )
    education = models.CharField(_("education"), max_length=24, choices=Education.choices)
    specialities = models.TextField(
        _("specialities"), blank=True, help_text=_("Skills and fields of expertise, one per line.")
    )
    work_started_on = models.DateField(_("started work on"), null=True, blank=True)
    helper = models.OneToOneField(
        "registry.Helper",
        verbose_name=_("responsible helper record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["region_code", "person__name", "id"]
        indexes = [models.Index(fields=["region_code", "unit"], name="cadre_region_unit")]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.unit})"

    def years_of_experience(self, on: datetime.date | None = None) -> int | None:
        """Whole years since the cadre started work, on `on` (today by default)."""
        if self.work_started_on is None:
            return None
        on = on or timezone.localdate()
        started = self.work_started_on
        years = on.year - started.year - ((on.month, on.day) < (started.month, started.day))
        return max(years, 0)


class DisciplinaryRecord(models.Model):
    """A disciplinary sanction in a cadre's file. Only roles with VIEW_DISCIPLINE see
    these, or even whether a cadre has any."""

    scope_field = "cadre__region_code"
    # The audit trail would otherwise show every sanction in full to anyone who may read
    # the trail: its events are left out for roles without this permission.
    audit_permission = Perm.VIEW_DISCIPLINE

    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("cadre"),
        on_delete=models.CASCADE,
        related_name="disciplinary_records",
    )
    kind = models.CharField(_("sanction"), max_length=24, choices=DisciplineKind.choices)
    decided_on = models.DateField(_("decided on"))
    ends_on = models.DateField(_("in effect until"), null=True, blank=True)
    authority = models.CharField(_("decided by"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("disciplinary record")
        verbose_name_plural = _("disciplinary records")
        ordering = ["cadre_id", "-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("decided_on")),
                name="discipline_ends_after_decision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.get_kind_display()} {self.decided_on}"


def evidence_path(instance: "Achievement", filename: str) -> str:
    return f"cadres/evidence/{timezone.now():%Y/%m}/{filename}"


class Achievement(models.Model):
    """A front-line achievement entered by hand, with its evidence. Exits, eliminated
    risks and visits that the register already records are computed (see
    `services.achievements`), never entered here as copies."""

    scope_field = "region_code"

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.CASCADE, related_name="achievements"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AchievementKind.choices)
    region_code = models.CharField(_("village (region code)"), max_length=12, db_index=True)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    achieved_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, help_text=_("How many (households, projects, visits) it counts.")
    )
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("Documents, minutes, photos: where to find them.")
    )
    evidence_file = models.FileField(
        _("evidence file"), upload_to=evidence_path, max_length=200, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["cadre_id", "-achieved_on", "-id"]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.title}"


class Assessment(models.Model):
    """The annual assessment (年度考核) of a cadre: one per year."""

    scope_field = "cadre__region_code"

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.CASCADE, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    grade = models.CharField(_("grade"), max_length=24, choices=Grade.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["cadre_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year"], name="assessment_once_a_year"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="assessment_score_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.year}: {self.score}"


class IncentiveDecision(models.Model):
    """A commendation, promotion or greater responsibility decided for a cadre, with the
    ranking score and its explanation as they stood when it was decided."""

    scope_field = "cadre__region_code"

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.CASCADE, related_name="incentive_decisions"
    )
    kind = models.CharField(_("decision"), max_length=16, choices=IncentiveKind.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.CharField(_("decided by"), max_length=150)
    basis = models.JSONField(_("basis"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("incentive decision")
        verbose_name_plural = _("incentive decisions")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.get_kind_display()} {self.decided_on}"


class LeaderCandidate(models.Model):
    """A person in a village's leader pool: a candidate for branch secretary or a member
    of the village reserve."""

    scope_field = "region_code"
    # Optimistic locking of the edit form (baolei.versioning).
    version = version_field()

    person = models.OneToOneField(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="leader_candidacy",
    )
    region_code = models.CharField(_("village (region code)"), max_length=12, db_index=True)
    category = models.CharField(
        _("pool"), max_length=16, choices=LeaderCategory.choices, default=LeaderCategory.RESERVE
    )
    source = models.CharField(_("source"), max_length=24, choices=LeaderSource.choices)
    party_member = models.BooleanField(_("party member"), default=False)
    education = models.CharField(_("education"), max_length=24, choices=Education.choices)
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("village leader candidate")
        verbose_name_plural = _("village leader candidates")
        ordering = ["region_code", "person__name", "id"]
        indexes = [models.Index(fields=["region_code", "source"], name="leader_region_source")]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.region_code})"


class LeaderDevelopment(models.Model):
    """A dated step in a candidate's development, from identification to appointment."""

    scope_field = "candidate__region_code"

    candidate = models.ForeignKey(
        LeaderCandidate,
        verbose_name=_("candidate"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    step = models.CharField(_("step"), max_length=16, choices=DevelopmentStep.choices)
    done_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("development step")
        verbose_name_plural = _("development steps")
        ordering = ["candidate_id", "done_on", "id"]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.get_step_display()} {self.done_on}"
