"""Village work teams (驻村工作队), first secretaries (第一书记), their duties, attendance
and leave, the selection rules and candidate pool, and the matching of candidates to
villages.

Everything reaches a region code: teams carry their village (`region_code`), members,
duties, attendance and leave scope through the team, rules and candidates carry the region
that set or put them forward, matching runs the region they were run for and their pairs
the village.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baolei.cadres.choices import Education
from baolei.versioning import version_field


class TeamStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("work team status", "Active")  # 在岗
    ENDED = "ended", _("Term ended")  # 期满
    RECALLED = "recalled", _("Recalled")  # 召回


class MemberRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", _("First secretary")  # 第一书记
    LEADER = "leader", _("Team leader")  # 工作队队长
    MEMBER = "member", _("Team member")  # 工作队队员


class EndReason(models.TextChoices):
    TERM_ENDED = "term_ended", _("Term ended")  # 期满
    ROTATED = "rotated", _("Rotated")  # 轮换
    RECALLED = "recalled", _("Recalled")  # 召回


class DutyKind(models.TextChoices):
    STRENGTHEN_BRANCH = (
        "strengthen_branch",
        _("Strengthen the village party organisation"),
    )  # 建强村党组织
    ASSISTANCE = (
        "assistance",
        _("Make the village strong and the villagers prosperous"),
    )  # 推进强村富民
    SERVICE = "service", _("Serve the villagers")  # 为民办事服务
    GOVERNANCE = "governance", _("Improve governance")  # 提升治理水平


class DutyStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")  # 计划
    IN_PROGRESS = "in_progress", _("In progress")  # 推进中
    DONE = "done", _("Done")  # 已完成


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # 待审批
    APPROVED = "approved", _("Approved")  # 已批准
    REJECTED = "rejected", _("Rejected")  # 未批准


class Industry(models.TextChoices):
    GRAIN = "grain", _("Grain")  # 粮食
    VEGETABLES = "vegetables", _("Vegetables")  # 蔬菜
    FRUIT = "fruit", _("Fruit")  # 水果
    TEA = "tea", _("Tea")  # 茶叶
    LIVESTOCK = "livestock", _("Livestock")  # 畜牧
    AQUACULTURE = "aquaculture", _("Aquaculture")  # 水产
    FORESTRY = "forestry", _("Forestry")  # 林业
    HERBS = "herbs", _("Medicinal herbs")  # 中药材
    PROCESSING = "processing", _("Agricultural processing")  # 农产品加工
    TOURISM = "tourism", _("Rural tourism")  # 乡村旅游
    ECOMMERCE = "ecommerce", _("Rural e-commerce")  # 农村电商
    CRAFTS = "crafts", _("Handicrafts")  # 手工业


class FundKind(models.TextChoices):
    ALLOCATION = "allocation", _("Allocated")  # 拨付
    EXPENDITURE = "expenditure", _("Spent")  # 支出


class CandidateStatus(models.TextChoices):
    POOL = "pool", _("In the pool")  # 备选
    APPOINTED = "appointed", _("Appointed")  # 已选派
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 退出


class RunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")  # 待确认
    CONFIRMED = "confirmed", _("Confirmed")  # 已确认
    DISCARDED = "discarded", _("Discarded")  # 已作废


MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}


class WorkTeam(models.Model):
    """A village work team with its term; its first secretary is the member with that
    role. One active team per village."""

    scope_field = "village_id"
    # Optimistic locking of the edit form (baolei.versioning).
    version = version_field()

    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        db_column="region_code",
        related_name="+",
    )
    dispatching_unit = models.CharField(_("dispatching unit"), max_length=120)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    funds = models.DecimalField(_("work funds (yuan)"), **MONEY)
    status = models.CharField(
        _("status"), max_length=16, choices=TeamStatus.choices, default=TeamStatus.ACTIVE
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    recall_reason = models.TextField(_("reason for recall"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("work team")
        verbose_name_plural = _("work teams")
        ordering = ["village_id", "-starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village"], condition=Q(status="active"), name="one_active_team_per_village"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="team_term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.dispatching_unit}"


class WorkFundEntry(models.Model):
    """One line of a team's work-fund ledger (工作经费台账): money allocated to the team or
    spent by it, dated, with its purpose. The team's `funds` is the amount planned for its
    term; the ledger is what was actually allocated and spent. Lines are never changed or
    deleted: a mistake is put right by a line the other way, so the ledger stays a record."""

    scope_field = "team__village_id"

    team = models.ForeignKey(
        WorkTeam, verbose_name=_("work team"), on_delete=models.CASCADE, related_name="fund_entries"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FundKind.choices)
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        verbose_name = _("work-fund entry")
        verbose_name_plural = _("work-fund entries")
        ordering = ["team_id", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_entry_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.date} {self.kind} {self.amount}"


class TeamMember(models.Model):
    """A cadre in a team, with a role and their own dates (rotation ends one membership
    and starts another). A cadre serves in one team at a time."""

    scope_field = "team__village_id"

    team = models.ForeignKey(
        WorkTeam, verbose_name=_("work team"), on_delete=models.CASCADE, related_name="members"
    )
    cadre = models.ForeignKey(
        "cadres.Cadre",
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="team_memberships",
    )
    role = models.CharField(_("role"), max_length=24, choices=MemberRole.choices)
    starts_on = models.DateField(_("in post from"))
    ended_on = models.DateField(_("in post until"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for leaving"), max_length=16, choices=EndReason.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team_id", "ended_on", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(role="first_secretary", ended_on__isnull=True),
                name="one_current_first_secretary_per_team",
            ),
            models.UniqueConstraint(
                fields=["cadre"], condition=Q(ended_on__isnull=True), name="one_current_team_each"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.cadre_id} {self.role}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class Duty(models.Model):
    scope_field = "team__village_id"

    team = models.ForeignKey(
        WorkTeam, verbose_name=_("work team"), on_delete=models.CASCADE, related_name="duties"
    )
    kind = models.CharField(_("duty"), max_length=24, choices=DutyKind.choices)
    description = models.CharField(_("description"), max_length=200)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=DutyStatus.choices, default=DutyStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["team_id", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.team_id} {self.kind} {self.due_on}"


class AttendanceRule(models.Model):
    """The attendance rule of a year, set by a region for its villages (the most specific
    region's rule applies; without one, the defaults below)."""

    scope_field = "region_code"

    region_code = models.CharField(_("set by (region code)"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    min_days_month = models.PositiveSmallIntegerField(
        _("days in the village each month, at least"),
        default=20,
        validators=[MaxValueValidator(31)],
    )
    min_days_year = models.PositiveSmallIntegerField(
        _("days in the village each year, at least"),
        default=220,
        validators=[MaxValueValidator(366)],
    )
    short_leave_days = models.PositiveSmallIntegerField(
        _("short leave (approved by the township), at most days"),
        default=3,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("attendance rule")
        verbose_name_plural = _("attendance rules")
        ordering = ["region_code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="attendance_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}"


class AttendanceMonth(models.Model):
    """Days a team member spent in the village in one month, entered by the month."""

    scope_field = "member__team__village_id"

    member = models.ForeignKey(
        TeamMember, verbose_name=_("team member"), on_delete=models.CASCADE, related_name="months"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    days = models.PositiveSmallIntegerField(
        _("days in the village"), validators=[MaxValueValidator(31)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance month")
        verbose_name_plural = _("attendance months")
        ordering = ["member_id", "year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "month"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}-{self.month:02d}: {self.days}"


class LeaveRequest(models.Model):
    scope_field = "member__team__village_id"

    member = models.ForeignKey(
        TeamMember, verbose_name=_("team member"), on_delete=models.CASCADE, related_name="leaves"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="leave_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.starts_on}–{self.ends_on}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class SelectionRules(models.Model):
    """The criteria for first-secretary candidates of a year, set by a region (the most
    specific region's rules apply), and the threshold that makes a village need one."""

    scope_field = "region_code"

    region_code = models.CharField(_("set by (region code)"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    party_member_required = models.BooleanField(_("party member required"), default=True)
    no_discipline_required = models.BooleanField(
        _("no disciplinary sanction in effect"), default=True
    )
    max_age = models.PositiveSmallIntegerField(
        _("age limit (years, at most)"), null=True, blank=True, default=45
    )
    reference_date = models.DateField(_("age and experience counted on"))
    min_experience_years = models.PositiveSmallIntegerField(
        _("work experience (years, at least)"), default=2
    )
    min_education = models.CharField(
        _("minimum education"),
        max_length=24,
        choices=Education.choices,
        blank=True,
        default=Education.COLLEGE,
    )
    keywords = models.CharField(
        _("relevant experience (any of these words)"),
        max_length=200,
        blank=True,
        help_text=_("Separated by commas; empty: not required."),
    )
    monitored_threshold = models.PositiveSmallIntegerField(
        _("villages with at least this many monitored households need a first secretary"),
        default=10,
    )
    poverty_incidence_threshold = models.DecimalField(
        _("poverty incidence (%) that makes a village's poverty high"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("3.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "For villages whose rural population is recorded; the others are judged by the "
            "number of registered poor households below."
        ),
    )
    poverty_threshold = models.PositiveSmallIntegerField(
        _("registered poor households that make a village's poverty high"), default=30
    )

    class Meta:
        verbose_name = _("selection rules")
        verbose_name_plural = _("selection rules")
        ordering = ["region_code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="selection_rules_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}"

    def keyword_list(self) -> list[str]:
        return [w.strip() for w in self.keywords.replace("，", ",").split(",") if w.strip()]


class Candidate(models.Model):
    """A cadre put forward for first secretary, with the strengths matching uses."""

    scope_field = "region_code"

    cadre = models.ForeignKey(
        "cadres.Cadre",
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="candidacies",
    )
    region_code = models.CharField(_("pool of (region code)"), max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    put_forward_by = models.CharField(_("put forward by"), max_length=120, blank=True)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    weak_branch_experience = models.BooleanField(_("experience with weak branches"), default=False)
    assistance_experience = models.BooleanField(_("targeted-assistance experience"), default=False)
    agriculture_experience = models.BooleanField(_("agricultural experience"), default=False)
    experience = models.TextField(_("relevant experience"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CandidateStatus.choices, default=CandidateStatus.POOL
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("first-secretary candidate")
        verbose_name_plural = _("first-secretary candidates")
        ordering = ["region_code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year"], name="candidate_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.year}"

    def industry_labels(self) -> list[str]:
        labels = dict(Industry.choices)
        return [str(labels.get(code, code)) for code in self.industries]


class VillageProfile(models.Model):
    """What matching needs to know of a village besides the register and the grading."""

    scope_field = "village_id"

    village = models.OneToOneField(
        "regions.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        db_column="region_code",
        related_name="+",
    )
    main_industry = models.CharField(
        _("main industry"), max_length=24, choices=Industry.choices, blank=True
    )

    class Meta:
        verbose_name = _("village profile")
        verbose_name_plural = _("village profiles")

    def __str__(self) -> str:
        return f"{self.village_id} {self.main_industry}"


class MatchingRun(models.Model):
    """A proposal of first secretaries for the villages of a region that need one; it
    survives reloads, is adjusted pair by pair and confirmed once."""

    scope_field = "region_code"

    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.PROPOSED
    )
    starts_on = models.DateField(_("terms start"))
    optimal_fit = models.PositiveIntegerField(_("optimal total fit"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.region_code} {self.created_at:%Y-%m-%d}"


class MatchingPair(models.Model):
    """One village of a run with its proposed candidate (none when candidates ran out) and
    the fit explained as [reason code, points] pairs."""

    scope_field = "village_id"

    run = models.ForeignKey(
        MatchingRun, verbose_name=_("matching run"), on_delete=models.CASCADE, related_name="pairs"
    )
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        db_column="region_code",
        related_name="+",
    )
    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fit = models.PositiveIntegerField(_("fit"), default=0)
    reasons = models.JSONField(_("reasons"), default=list)
    needs = models.JSONField(_("needs"), default=dict)
    adjusted = models.BooleanField(_("changed by hand"), default=False)

    class Meta:
        verbose_name = _("matching pair")
        verbose_name_plural = _("matching pairs")
        ordering = ["run_id", "village_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "village"], name="pair_village_once"),
            models.UniqueConstraint(fields=["run", "candidate"], name="pair_candidate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.village_id} {self.candidate_id}"
