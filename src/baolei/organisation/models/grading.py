"""Branch grading, weak and lax branches and their rectification, organisation life.

Every row carries the region code of its place: gradings, designations, tasks and
meetings the 12-digit code of their branch's village (copied from the branch when the
row is made, so that scoping never needs a join); checklists and criteria the code of
the county (or higher region) that set them.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SCORE = {"max_digits": 6, "decimal_places": 2}


class Grade(models.TextChoices):
    """The grades a checklist's bands may give: the four classes or the star ratings."""

    ADVANCED = "advanced", _("Advanced")
    GOOD = "good", _("Good")
    AVERAGE = "average", _("Average")
    LAGGING = "lagging", _("Lagging")
    FIVE_STARS = "five_stars", _("Five stars")
    FOUR_STARS = "four_stars", _("Four stars")
    THREE_STARS = "three_stars", _("Three stars")
    TWO_STARS = "two_stars", _("Two stars")
    ONE_STAR = "one_star", _("One star")


class GradingChecklist(models.Model):
    """The indicators and grade bands a county grades its village branches by in a year."""

    scope_field = "region_code"

    region_code = models.CharField(
        _("region code"),
        max_length=12,
        help_text=_("The county (or higher region) whose branches are graded by it."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("grading checklist")
        verbose_name_plural = _("grading checklists")
        ordering = ["-year", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="checklist_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class GradingIndicator(models.Model):
    scope_field = "checklist__region_code"

    checklist = models.ForeignKey(
        GradingChecklist, on_delete=models.CASCADE, related_name="indicators"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("indicator"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_score = models.DecimalField(_("maximum score"), **SCORE)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        help_text=_("The score counts this many times in the total."),
    )

    class Meta:
        verbose_name = _("grading indicator")
        verbose_name_plural = _("grading indicators")
        ordering = ["checklist_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class GradeBand(models.Model):
    """A branch whose percentage reaches `min_percent` gets `grade` (highest band first)."""

    scope_field = "checklist__region_code"

    checklist = models.ForeignKey(GradingChecklist, on_delete=models.CASCADE, related_name="bands")
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    min_percent = models.DecimalField(
        _("from (percent of the maximum)"), max_digits=5, decimal_places=2
    )
    counts_as_lagging = models.BooleanField(
        _("counts as lagging"),
        default=False,
        help_text=_("Branches in this band meet the weak-branch criterion of a lagging grade."),
    )

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["checklist_id", "-min_percent"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "grade"], name="band_checklist_grade")
        ]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} ≥ {self.min_percent}%"


class BranchGrading(models.Model):
    """One branch's grading of one year: its scores, total and grade."""

    scope_field = "region_code"

    organisation = models.ForeignKey(
        "organisation.PartyOrganisation",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="gradings",
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    checklist = models.ForeignKey(
        GradingChecklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("total"), default=Decimal(0), **SCORE)
    percent = models.DecimalField(_("percent of the maximum"), default=Decimal(0), **SCORE)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    lagging = models.BooleanField(_("lagging"), default=False)
    note = models.TextField(_("note"), blank=True)
    graded_by = models.CharField(_("graded by"), max_length=150, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("branch grading")
        verbose_name_plural = _("branch gradings")
        ordering = ["-year", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="grading_branch_year")
        ]
        indexes = [models.Index(fields=["year", "region_code"], name="grading_year_region")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class IndicatorScore(models.Model):
    scope_field = "grading__region_code"

    grading = models.ForeignKey(BranchGrading, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(GradingIndicator, on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(_("score"), **SCORE)
    evidence = models.TextField(_("evidence"), blank=True)
    attachment = models.CharField(
        _("attachment reference"),
        max_length=200,
        blank=True,
        help_text=_("Where the supporting document is kept (file number, archive, link)."),
    )

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        ordering = ["grading_id", "indicator__position", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["grading", "indicator"], name="score_grading_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.score}"


# --- weak and lax branches -----------------------------------------------------------


class CriterionRule(models.TextChoices):
    """How a criterion is checked: by a person, or suggested from the records."""

    MANUAL = "manual", _("Judged by a person")
    LAGGING_GRADE = "lagging_grade", _("Lagging grade in last year's grading")
    NO_LIFE_QUARTER = "no_life_quarter", _("No organisation life in a quarter of the year")


class WeakCriterion(models.Model):
    """One of the year's criteria for designating a branch weak and lax (软弱涣散)."""

    scope_field = "region_code"

    region_code = models.CharField(_("region code"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    rule = models.CharField(
        _("check"), max_length=24, choices=CriterionRule.choices, default=CriterionRule.MANUAL
    )

    class Meta:
        verbose_name = _("weak-branch criterion")
        verbose_name_plural = _("weak-branch criteria")
        ordering = ["region_code", "year", "position", "id"]

    def __str__(self) -> str:
        return self.name


class WeakBranchDesignation(models.Model):
    class Status(models.TextChoices):
        RECTIFYING = "rectifying", _("Being rectified")
        CLOSED = "closed", _("Closed (removed from the list)")

    scope_field = "region_code"

    organisation = models.ForeignKey(
        "organisation.PartyOrganisation",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="weak_designations",
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    criteria = models.ManyToManyField(
        WeakCriterion, verbose_name=_("criteria met"), related_name="designations", blank=True
    )
    reason = models.TextField(_("findings"), blank=True)
    designated_on = models.DateField(_("designated on"))
    designated_by = models.CharField(_("designated by"), max_length=150)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECTIFYING
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("weak-branch designation")
        verbose_name_plural = _("weak-branch designations")
        ordering = ["-year", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="weak_branch_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting verification")
    CLOSED = "closed", _("Closed")


class Verification(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class RectificationTask(models.Model):
    """One thing a weak branch must put right, by a deadline, checked before it is closed."""

    scope_field = "region_code"

    designation = models.ForeignKey(
        WeakBranchDesignation, on_delete=models.CASCADE, related_name="tasks"
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    description = models.TextField(_("task"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (user)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_name = models.CharField(_("owner"), max_length=150)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=24, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    verification = models.CharField(
        _("verification"), max_length=8, choices=Verification.choices, blank=True
    )
    verified_by = models.CharField(_("verified by"), max_length=150, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.CharField(_("closed by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification task")
        verbose_name_plural = _("rectification tasks")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="task_status_deadline")]

    def __str__(self) -> str:
        return self.description[:60]

    def is_overdue(self, today) -> bool:
        return self.status != TaskStatus.CLOSED and self.deadline < today


class RectificationNote(models.Model):
    scope_field = "task__region_code"

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="notes")
    noted_on = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    author = models.CharField(_("recorded by"), max_length=150)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["task_id", "noted_on", "id"]

    def __str__(self) -> str:
        return f"{self.noted_on} {self.text[:40]}"


# --- organisation life (三会一课) ---------------------------------------------------------


class LifeKind(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", _("Branch general meeting")
    COMMITTEE_MEETING = "committee_meeting", _("Branch committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LECTURE = "party_lecture", _("Party lecture")


def life_photo_path(record: "LifeRecord", filename: str) -> str:
    """Under MEDIA_ROOT/organisation/life/, by month, under a random name: the photo is
    served only through the scoped view, and a guessable name would invite probing."""
    return f"organisation/life/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{record.photo_suffix}"


class LifeRecord(models.Model):
    """A meeting or lecture a branch held (三会一课)."""

    # Set by the service from the photo's content (never the uploaded name) before saving.
    photo_suffix = ""

    scope_field = "region_code"

    organisation = models.ForeignKey(
        "organisation.PartyOrganisation",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="life_records",
    )
    region_code = models.CharField(_("region code"), max_length=12)
    kind = models.CharField(_("kind"), max_length=24, choices=LifeKind.choices)
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    attended = models.PositiveIntegerField(_("attended"))
    expected = models.PositiveIntegerField(_("expected"))
    note = models.TextField(_("note"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    photo = models.FileField(_("photo"), upload_to=life_photo_path, max_length=200, blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation life record")
        verbose_name_plural = _("organisation life records")
        ordering = ["-held_on", "id"]
        indexes = [models.Index(fields=["region_code", "held_on"], name="life_region_held")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"
