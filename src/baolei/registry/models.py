"""The register of poor and monitored households (建档立卡 and 防止返贫动态监测).

Every row that belongs to a place reaches its village code: households carry it
(`village_id` is the 12-digit code), people carry their household's village in
`region_code`, and the rest scope through their household.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baolei import idnumbers
from baolei.registry import choices

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}


class Person(models.Model):
    """One natural person, deduplicated by resident ID number; roles hang off it."""

    scope_field = "region_code"

    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=64)
    sex = models.CharField(_("sex"), max_length=8, choices=choices.Sex.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=32, default="汉族")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    region_code = models.CharField(
        _("region code"),
        max_length=12,
        blank=True,
        help_text=_("The village of the person's household, or where they work."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["name", "region_code"], name="person_name_region"),
            models.Index(fields=["region_code"], name="person_region"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_id_number})"

    @property
    def masked_id_number(self) -> str:
        return idnumbers.mask(self.id_number)


NATIONAL = ""  # the region code of a national line

province_code = RegexValidator(
    r"^\d{2}$", _("Give a province's two-digit code, or leave it blank for a national line.")
)


class AnnualStandard(models.Model):
    """The lines and thresholds of one year, nationally (blank region) or for a province.

    A household's line for a year is its province's line of that year if set, else the
    national one; a year without either carries the latest earlier line forward (see
    `rules.line_for`). National values are shipped; lines are edited in the application.
    """

    scope_field = "region_code"  # for the audit trail; `services.rules` decides who sees what

    region_code = models.CharField(
        _("province"),
        max_length=2,
        blank=True,
        default=NATIONAL,
        validators=[province_code],
        help_text=_("A province's two-digit code; blank for a national line."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    poverty_line = models.DecimalField(
        _("poverty line (yuan per person per year)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    monitoring_line = models.DecimalField(
        _("monitoring income line (yuan per person per year)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    village_incidence_limit = models.DecimalField(
        _("village exit: incidence below (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(2),
        validators=[MinValueValidator(0)],
    )
    western_incidence_limit = models.DecimalField(
        _("village exit in western provinces: incidence below (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(3),
        validators=[MinValueValidator(0)],
    )
    # The policy document the lines come from (依据), not where a person comes from (来源).
    source = models.CharField(pgettext_lazy("policy", "source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("annual standard")
        verbose_name_plural = _("annual standards")
        ordering = ["year", "region_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "year"], name="annual_standard_region_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region_code}" if self.region_code else str(self.year)


class VillagePopulation(models.Model):
    """A village's rural (registered, 户籍) population in one year: the denominator of
    its poverty incidence. The register holds only poor and monitored people."""

    scope_field = "village_id"

    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        db_column="village_code",
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(
        _("rural population"), validators=[MinValueValidator(1)]
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("village population")
        verbose_name_plural = _("village populations")
        ordering = ["village_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="village_population_year"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}: {self.population}"


class Household(models.Model):
    scope_field = "village_id"

    number = models.CharField(_("household number"), max_length=32, unique=True)
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        db_column="village_code",
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    head = models.ForeignKey(
        Person,
        verbose_name=_("head of household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    registered_poor = models.BooleanField(
        _("registered poor household"),
        default=True,
        help_text=_("建档立卡: in the register of poor households, not only monitored."),
    )
    attribute = models.CharField(
        _("household attribute"),
        max_length=32,
        choices=choices.HouseholdAttribute.choices,
        blank=True,
    )
    identification_year = models.PositiveSmallIntegerField(
        _("identification year"), null=True, blank=True
    )
    identification_standard = models.CharField(
        _("identification standard"),
        max_length=16,
        choices=choices.IdentificationStandard.choices,
        default=choices.IdentificationStandard.NATIONAL,
    )
    status = models.CharField(
        _("poverty status"), max_length=24, choices=choices.PovertyStatus.choices, blank=True
    )
    status_since = models.DateField(_("status since"), null=True, blank=True)
    main_cause = models.CharField(
        _("main cause of poverty"), max_length=24, choices=choices.PovertyCause.choices, blank=True
    )
    second_cause = models.CharField(
        _("other cause"), max_length=24, choices=choices.PovertyCause.choices, blank=True
    )
    third_cause = models.CharField(
        _("other cause"), max_length=24, choices=choices.PovertyCause.choices, blank=True
    )
    housing_area = models.DecimalField(
        _("housing area (m²)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    housing_structure = models.CharField(
        _("housing structure"),
        max_length=24,
        choices=choices.HousingStructure.choices,
        blank=True,
    )
    housing_safety = models.CharField(
        _("housing safety"), max_length=16, choices=choices.HousingSafety.choices, blank=True
    )
    monitoring_type = models.CharField(
        _("monitoring type"), max_length=24, choices=choices.MonitoringType.choices, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village_id", "number"]
        indexes = [
            models.Index(fields=["village", "number"], name="household_village_number"),
            models.Index(fields=["village", "status"], name="household_village_status"),
            models.Index(fields=["village", "monitoring_type"], name="household_village_monitor"),
        ]

    def __str__(self) -> str:
        return self.number


class StatusChange(models.Model):
    """The history of a household's poverty status: when, to what, and who decided."""

    scope_field = "household__village_id"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=24, choices=choices.PovertyStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=24, choices=choices.PovertyStatus.choices)
    changed_on = models.DateField(_("date"))
    decided_by = models.CharField(_("decided by"), max_length=150)
    procedure = models.ForeignKey(
        "Procedure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["household_id", "changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.from_status} → {self.to_status}"


class Member(models.Model):
    """A person's place in a household. One person, one household: the one-to-one key
    makes a second membership impossible, whoever tries it."""

    scope_field = "household__village_id"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="membership"
    )
    relation = models.CharField(
        _("relation to the head"), max_length=24, choices=choices.Relation.choices
    )
    education = models.CharField(
        _("education"), max_length=16, choices=choices.Education.choices, blank=True
    )
    school_status = models.CharField(
        _("school status"),
        max_length=16,
        choices=choices.SchoolStatus.choices,
        default=choices.SchoolStatus.NOT_IN_SCHOOL,
    )
    health = models.CharField(
        _("health"), max_length=16, choices=choices.Health.choices, default=choices.Health.HEALTHY
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), null=True, blank=True, help_text=_("1 (most severe) to 4")
    )
    labour_capacity = models.CharField(
        _("labour capacity"), max_length=16, choices=choices.LabourCapacity.choices
    )
    employment = models.CharField(
        _("employment"),
        max_length=24,
        choices=choices.Employment.choices,
        default=choices.Employment.NONE,
    )
    minimum_living = models.BooleanField(_("minimum-living-guarantee member"), default=False)
    medical_insurance = models.BooleanField(_("basic medical insurance"), default=True)
    pension_insurance = models.BooleanField(_("basic pension insurance"), default=False)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True)
                | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="member_disability_grade_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.person_id}"


class HouseholdYear(models.Model):
    """A household's income and its assurances and guarantees in one year."""

    scope_field = "household__village_id"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    wages = models.DecimalField(_("wage income"), **MONEY)
    production_business = models.DecimalField(_("production and business income"), **MONEY)
    property_income = models.DecimalField(_("property income"), **MONEY)
    transfers = models.DecimalField(_("transfer income"), **MONEY)
    production_costs = models.DecimalField(_("production and business costs"), **MONEY)
    member_count = models.PositiveSmallIntegerField(_("members counted"), default=1)
    per_capita_net_income = models.DecimalField(
        _("per-capita net income"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    food = models.BooleanField(_("enough to eat"), null=True)
    clothing = models.BooleanField(_("enough to wear"), null=True)
    compulsory_education = models.BooleanField(_("compulsory education secured"), null=True)
    basic_medical = models.BooleanField(_("basic medical care secured"), null=True)
    housing_safety = models.BooleanField(_("safe housing secured"), null=True)
    drinking_water = models.BooleanField(_("safe drinking water secured"), null=True)
    assurance_notes = models.JSONField(_("notes on the assurances"), default=dict, blank=True)

    class Meta:
        verbose_name = _("household year")
        verbose_name_plural = _("household years")
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="household_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"

    @property
    def net_income(self) -> Decimal:
        return (
            self.wages
            + self.production_business
            + self.property_income
            + self.transfers
            - self.production_costs
        )

    def compute_per_capita(self) -> Decimal:
        count = max(self.member_count, 1)
        return (self.net_income / count).quantize(Decimal("0.01"))


class Procedure(models.Model):
    """Identification, exit, monitoring and risk elimination are procedures, not field
    edits: the household's status changes only when the last step is recorded."""

    class Kind(models.TextChoices):
        IDENTIFICATION = "identification", _("Identification as poor")  # 贫困户识别
        EXIT = "exit", _("Exit from poverty")  # 贫困户退出
        MONITORING = "monitoring", _("Identification for monitoring")  # 监测对象识别纳入
        RISK_ELIMINATION = "risk_elimination", _("Risk elimination")  # 风险消除

    class Outcome(models.TextChoices):
        OPEN = "open", _("In progress")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    scope_field = "household__village_id"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="procedures")
    kind = models.CharField(_("procedure"), max_length=24, choices=Kind.choices)
    case = models.ForeignKey(
        "MonitoringCase", on_delete=models.CASCADE, null=True, blank=True, related_name="procedures"
    )
    started_on = models.DateField(_("started"))
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN
    )

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["household_id", "started_on", "id"]
        indexes = [models.Index(fields=["outcome", "started_on"], name="procedure_open_since")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.household_id}"


class ProcedureStep(models.Model):
    scope_field = "procedure__household__village_id"

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=32)
    done_on = models.DateField(_("date"))
    actor_name = models.CharField(_("by"), max_length=150)
    actor_id = models.BigIntegerField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("procedure step")
        verbose_name_plural = _("procedure steps")
        ordering = ["procedure_id", "done_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "step"], name="procedure_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id}: {self.step}"


class MonitoringCase(models.Model):
    """One period of monitoring against relapse, from the risk alert to the elimination."""

    scope_field = "household__village_id"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="monitoring_cases"
    )
    monitoring_type = models.CharField(
        _("monitoring type"), max_length=24, choices=choices.MonitoringType.choices
    )
    route = models.CharField(
        _("identification route"), max_length=24, choices=choices.IdentificationRoute.choices
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=choices.CaseStatus.choices,
        default=choices.CaseStatus.IDENTIFYING,
    )
    opened_on = models.DateField(_("opened"))
    identified_on = models.DateField(_("included on"), null=True, blank=True)
    eliminated_on = models.DateField(_("risk eliminated on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("monitoring case")
        verbose_name_plural = _("monitoring cases")
        ordering = ["household_id", "opened_on", "id"]
        indexes = [models.Index(fields=["status", "opened_on"], name="case_status_opened")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_monitoring_type_display()}"


class RiskEvent(models.Model):
    scope_field = "household__village_id"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="risk_events")
    kind = models.CharField(_("risk"), max_length=24, choices=choices.RiskKind.choices)
    occurred_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk event")
        verbose_name_plural = _("risk events")
        ordering = ["household_id", "occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_kind_display()}"


class AssistanceMeasure(models.Model):
    scope_field = "case__household__village_id"

    case = models.ForeignKey(MonitoringCase, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("measure"), max_length=24, choices=choices.MeasureKind.choices)
    description = models.TextField(_("description"), blank=True)
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("assistance measure")
        verbose_name_plural = _("assistance measures")
        ordering = ["case_id", "started_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


class Helper(models.Model):
    """A person from the organisation (a cadre or party member) who helps households.
    The cadres app will enrich this record."""

    scope_field = "region_code"

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="helper"
    )
    unit = models.CharField(_("work unit"), max_length=120)
    post = models.CharField(_("post"), max_length=64, blank=True)
    region_code = models.CharField(_("works in (region code)"), max_length=12)

    class Meta:
        verbose_name = _("responsible helper")
        verbose_name_plural = _("responsible helpers")
        indexes = [models.Index(fields=["region_code"], name="helper_region")]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.unit})"


class Pairing(models.Model):
    """结对帮扶: the helper responsible for a household, for a period."""

    scope_field = "household__village_id"

    helper = models.ForeignKey(Helper, on_delete=models.PROTECT, related_name="pairings")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="pairings")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="one_current_helper_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self.helper_id} ↔ {self.household_id}"


class Visit(models.Model):
    scope_field = "household__village_id"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="visits")
    helper = models.ForeignKey(
        Helper, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    visited_on = models.DateField(_("visit date"))
    findings = models.TextField(_("what was found"))
    actions = models.TextField(_("what was done"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"], name="visit_household_date")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_on}"
