"""Rural talent (党管人才): the talent pool and its pipeline, expert studios with the
villages' service requests, and the training of new professional farmers.

Every row reaches a region code: talent and enrolments carry their village, studios and
courses the county or township hosting them, requests the village that asked; the rest
scope through their parent.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.talent.choices import (
    InstitutionKind,
    RequestStatus,
    Satisfaction,
    Skill,
    Source,
    Stage,
    StudioKind,
)
from baolei.versioning import version_field

SKILL_SEPARATOR = ","


class Talent(models.Model):
    """A person in the talent pool, on the register's one record of that person."""

    scope_field = "region_code"
    # Optimistic locking of the edit form (baolei.versioning).
    version = version_field()

    person = models.OneToOneField(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="talent"
    )
    region_code = models.CharField(_("village"), max_length=12, db_index=True)
    source = models.CharField(_("talent source"), max_length=24, choices=Source.choices)
    # Codes of `Skill` wrapped in separators (",e_commerce,crop_farming,") so that one
    # skill is a plain substring match on either database.
    skills = models.CharField(_("skills"), max_length=300, blank=True)
    skill_notes = models.CharField(_("other skills and specialities"), max_length=200, blank=True)
    occupation = models.CharField(_("current occupation"), max_length=100, blank=True)
    stage = models.CharField(
        _("current stage"), max_length=16, choices=Stage.choices, default=Stage.IDENTIFIED
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("talent")
        verbose_name_plural = _("talent")
        indexes = [
            models.Index(fields=["region_code", "source"], name="talent_region_source"),
            models.Index(fields=["region_code", "stage"], name="talent_region_stage"),
        ]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def skill_codes(self) -> list[str]:
        return [code for code in self.skills.split(SKILL_SEPARATOR) if code]

    def get_skill_labels(self) -> list[str]:
        labels = dict(Skill.choices)
        return [str(labels.get(code, code)) for code in self.skill_codes]


def join_skills(codes) -> str:
    codes = [code for code in dict.fromkeys(codes) if code]
    return f"{SKILL_SEPARATOR}{SKILL_SEPARATOR.join(codes)}{SKILL_SEPARATOR}" if codes else ""


class TalentStep(models.Model):
    """One dated step of the pipeline: what was done to identify, cultivate or use them."""

    scope_field = "talent__region_code"

    talent = models.ForeignKey(Talent, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    taken_on = models.DateField(_("date"))
    what = models.CharField(_("what was done"), max_length=200)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("talent step")
        verbose_name_plural = _("talent steps")
        ordering = ["talent_id", "taken_on", "id"]

    def __str__(self) -> str:
        return f"{self.taken_on} {self.get_stage_display()}: {self.what}"


class Studio(models.Model):
    """An expert studio, hosted by a county or township, with its partner institution."""

    scope_field = "region_code"

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=StudioKind.choices)
    region_code = models.CharField(_("host region"), max_length=12, db_index=True)
    partner_name = models.CharField(_("partner institution"), max_length=120)
    partner_kind = models.CharField(
        _("kind of partner"), max_length=24, choices=InstitutionKind.choices
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("studio")
        verbose_name_plural = _("studios")
        ordering = ["region_code", "name"]

    def __str__(self) -> str:
        return self.name


class Expert(models.Model):
    scope_field = "studio__region_code"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="experts")
    name = models.CharField(_("name"), max_length=64)
    title = models.CharField(_("professional title"), max_length=64, blank=True)
    institution = models.CharField(_("institution"), max_length=120, blank=True)
    speciality = models.CharField(_("speciality"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["studio_id", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.title})" if self.title else self.name


class ServedVillage(models.Model):
    """A village a studio serves."""

    scope_field = "studio__region_code"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="served")
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        db_column="village_code",
        related_name="+",
    )

    class Meta:
        verbose_name = _("village served")
        verbose_name_plural = _("villages served")
        constraints = [
            models.UniqueConstraint(fields=["studio", "village"], name="studio_village_once")
        ]

    def __str__(self) -> str:
        return f"{self.studio_id}:{self.village_id}"


class ServiceRequest(models.Model):
    """A village asks a studio for help: open → accepted → delivered → closed."""

    scope_field = "region_code"

    studio = models.ForeignKey(
        Studio, verbose_name=_("studio"), on_delete=models.PROTECT, related_name="requests"
    )
    region_code = models.CharField(_("village"), max_length=12, db_index=True)
    requested_on = models.DateField(_("requested on"))
    need = models.TextField(_("need"))
    contact = models.CharField(_("contact person and phone"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    status_since = models.DateField(_("status since"))
    closing_note = models.CharField(_("closing note"), max_length=200, blank=True)
    created_by = models.CharField(_("recorded by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["requested_on", "id"]
        indexes = [models.Index(fields=["status", "requested_on"], name="service_request_open")]

    def __str__(self) -> str:
        return f"{self.requested_on} {self.need[:30]}"


class ServiceDelivery(models.Model):
    """A service a studio delivered against a request."""

    scope_field = "request__region_code"

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="deliveries")
    delivered_on = models.DateField(_("delivered on"))
    experts = models.ManyToManyField(Expert, verbose_name=_("experts"), blank=True)
    work_done = models.TextField(_("what was done"))
    people_reached = models.PositiveIntegerField(_("people reached"), default=0)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("service delivered")
        verbose_name_plural = _("services delivered")
        ordering = ["request_id", "delivered_on", "id"]

    def __str__(self) -> str:
        return f"{self.delivered_on} {self.work_done[:30]}"


class FollowUp(models.Model):
    """A later visit or call: did the service help, and how satisfied is the village."""

    scope_field = "request__region_code"

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="follow_ups")
    followed_on = models.DateField(_("date"))
    note = models.TextField(_("note"))
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("service follow-up")
        verbose_name_plural = _("service follow-ups")
        ordering = ["request_id", "followed_on", "id"]

    def __str__(self) -> str:
        return f"{self.followed_on} {self.note[:30]}"


class Course(models.Model):
    """A training course of the new professional farmers plan (高素质农民培育)."""

    scope_field = "region_code"

    code = models.CharField(
        _("course code"),
        max_length=32,
        unique=True,
        help_text=_("Unique, e.g. 2024-YX-01: enrolment files name the course by it."),
    )
    title = models.CharField(_("course title"), max_length=120)
    subject = models.CharField(_("subject"), max_length=24, choices=Skill.choices)
    organiser = models.CharField(_("organiser"), max_length=120)
    region_code = models.CharField(_("region"), max_length=12, db_index=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveIntegerField(_("capacity"))
    hours = models.PositiveIntegerField(_("hours"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-starts_on", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Enrolment(models.Model):
    """A person on a course, with their completion and certificate."""

    scope_field = "region_code"

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrolments"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    region_code = models.CharField(_("village"), max_length=12, db_index=True)
    enrolled_on = models.DateField(_("enrolled on"))
    hours_attended = models.PositiveIntegerField(_("hours attended"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    certificate_issued_on = models.DateField(_("certificate issued on"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["course_id", "region_code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="enrolment_once_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.person_id}"

    @property
    def completed(self) -> bool:
        return bool(self.passed)

    @property
    def certified(self) -> bool:
        return bool(self.certificate_number)
