"""The party organisation system: organisations and their hosts, party members, and the
two committees of each village.

Every record reaches a region code: organisations and host entities carry the place
they live in `region_code`; members scope through their branch, links to households
through the household's village, committee posts through their village.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.organisation.choices import (
    CommitteePostKind,
    ElectionKind,
    HolderSource,
    HostKind,
    MemberCategory,
    MemberStanding,
    OrganisationKind,
    OrganisationStatus,
)
from baolei.registry.choices import Education
from baolei.versioning import version_field


class HostEntity(models.Model):
    """A new economic or social organisation a party organisation can be built in:
    a cooperative, an association, an industry-chain project, an enterprise or a social
    organisation. A chain project spans villages (`villages`); its `region_code` is the
    lowest region holding them all, which is where it is seen from."""

    scope_field = "region_code"
    # Optimistic locking of the edit form (baolei.versioning).
    version = version_field()

    kind = models.CharField(_("kind"), max_length=24, choices=HostKind.choices)
    name = models.CharField(_("name"), max_length=120)
    region_code = models.CharField(_("region code"), max_length=12)
    registration_number = models.CharField(
        _("unified social credit code"), max_length=18, blank=True
    )
    industry = models.CharField(_("industry"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (members or employees)"), default=0)
    founded_year = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    instructor = models.CharField(
        _("party-building instructor"),
        max_length=64,
        blank=True,
        help_text=_("The instructor assigned to the entity, if any."),
    )
    last_activity_on = models.DateField(
        _("last party activity"),
        null=True,
        blank=True,
        help_text=_("The date of the last party activity held in the entity."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("host entity")
        verbose_name_plural = _("host entities")
        ordering = ["region_code", "name"]
        indexes = [models.Index(fields=["region_code", "kind"], name="host_region_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="host_registration_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation:host_detail", kwargs={"pk": self.pk})


class HostEntityVillage(models.Model):
    """A village an industry-chain project (or any multi-village entity) spans."""

    scope_field = "entity__region_code"

    entity = models.ForeignKey(HostEntity, on_delete=models.CASCADE, related_name="villages")
    region_code = models.CharField(_("village code"), max_length=12)

    class Meta:
        verbose_name = _("village of a host entity")
        verbose_name_plural = _("villages of host entities")
        constraints = [
            models.UniqueConstraint(fields=["entity", "region_code"], name="host_village_once")
        ]

    def __str__(self) -> str:
        return f"{self.entity_id}: {self.region_code}"


class PartyOrganisation(models.Model):
    """A grassroots party organisation. Its host is the village at `region_code` unless
    `host_entity` names a cooperative, enterprise or the like; a joint branch also
    covers the entities in `covered_entities`."""

    scope_field = "region_code"
    # Optimistic locking of the edit form (baolei.versioning).
    version = version_field()

    kind = models.CharField(_("kind"), max_length=24, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("higher organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    region_code = models.CharField(_("region code"), max_length=12)
    host_entity = models.ForeignKey(
        HostEntity,
        verbose_name=_("host entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("Leave empty when the organisation is built in the village itself."),
    )
    covered_entities = models.ManyToManyField(
        HostEntity,
        verbose_name=_("covered entities"),
        blank=True,
        related_name="covering_organisations",
        help_text=_("The entities a joint branch covers."),
    )
    secretary = models.ForeignKey(
        "registry.Person",
        verbose_name=_("secretary"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.ACTIVE,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["region_code", "name"]
        indexes = [
            models.Index(fields=["region_code", "kind"], name="partyorg_region_kind"),
            models.Index(fields=["status", "region_code"], name="partyorg_status_region"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "name"], name="partyorg_region_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation:organisation_detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status == OrganisationStatus.ACTIVE


class OrganisationStatusChange(models.Model):
    """The history of an organisation's status: merged into another, dissolved, revived."""

    scope_field = "organisation__region_code"

    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.CASCADE, related_name="status_changes"
    )
    changed_on = models.DateField(_("date"))
    from_status = models.CharField(_("from"), max_length=16, choices=OrganisationStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=OrganisationStatus.choices)
    merged_into = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    decided_by = models.CharField(_("decided by"), max_length=150)

    class Meta:
        verbose_name = _("organisation status change")
        verbose_name_plural = _("organisation status changes")
        ordering = ["organisation_id", "changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.from_status} → {self.to_status}"


class PartyMember(models.Model):
    """党员: a person's membership of a branch. Seen from the branch's region."""

    scope_field = "branch__region_code"
    # Optimistic locking of the edit form (baolei.versioning).
    version = version_field()

    person = models.OneToOneField(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="party_member",
    )
    branch = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("party organisation of the member"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    joined_on = models.DateField(_("joined the party on"))
    standing = models.CharField(
        _("party standing"),
        max_length=16,
        choices=MemberStanding.choices,
        default=MemberStanding.FULL,
    )
    category = models.CharField(
        _("member category"),
        max_length=16,
        choices=MemberCategory.choices,
        default=MemberCategory.RESIDENT,
    )
    posts = models.CharField(_("posts held"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["branch_id", "id"]

    def __str__(self) -> str:
        return str(self.person)

    def get_absolute_url(self) -> str:
        return reverse("organisation:member_detail", kwargs={"pk": self.pk})


class MemberTransfer(models.Model):
    """One move of a member between branches (组织关系转接)."""

    scope_field = "member__branch__region_code"

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="transfers")
    from_branch = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_branch = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    transferred_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        verbose_name = _("member transfer")
        verbose_name_plural = _("member transfers")
        ordering = ["member_id", "transferred_on", "id"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_branch_id} → {self.to_branch_id}"


class HouseholdLink(models.Model):
    """党员联户: a party member keeps in touch with a household, for a period."""

    scope_field = "household__village_id"

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="household_links",
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="member_links",
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("member-household link")
        verbose_name_plural = _("member-household links")
        ordering = ["household_id", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "household"],
                condition=Q(ended_on__isnull=True),
                name="household_link_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} ↔ {self.household_id}"


class Election(models.Model):
    """An election of a village's two committees."""

    scope_field = "region_code"

    region_code = models.CharField(_("village code"), max_length=12)
    held_on = models.DateField(_("held on"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=ElectionKind.choices, default=ElectionKind.GENERAL
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("two-committee election")
        verbose_name_plural = _("two-committee elections")
        ordering = ["region_code", "-held_on"]

    def __str__(self) -> str:
        return f"{self.region_code} {self.held_on}"


class CommitteePost(models.Model):
    """One person holding one post of a village's two committees for a term. A post with
    no end date is held now."""

    scope_field = "region_code"

    region_code = models.CharField(_("village code"), max_length=12)
    kind = models.CharField(_("post"), max_length=32, choices=CommitteePostKind.choices)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="committee_posts",
    )
    education = models.CharField(
        _("education"), max_length=16, choices=Education.choices, blank=True
    )
    source = models.CharField(
        _("source"), max_length=24, choices=HolderSource.choices, default=HolderSource.OTHER
    )
    started_on = models.DateField(_("term from"))
    ended_on = models.DateField(_("term until"), null=True, blank=True)
    election = models.ForeignKey(
        Election,
        verbose_name=_("election"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )

    class Meta:
        verbose_name = _("two-committee post")
        verbose_name_plural = _("two-committee posts")
        ordering = ["region_code", "kind", "-started_on"]
        indexes = [models.Index(fields=["region_code", "kind"], name="committeepost_region_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person_id}"
