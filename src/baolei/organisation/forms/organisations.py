"""Forms of the organisation pages. They check what a person typed and offer only what
lies in the scope; the rules themselves are in the services, whose refusals the views
put back on the right field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, scoped
from baolei.filter_forms import any_choice, region_in_scope
from baolei.forms import BulmaFormMixin
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
from baolei.organisation.models import Election, HostEntity, PartyOrganisation
from baolei.organisation.services.organisations import PARENT_KINDS
from baolei.regions import codes
from baolei.registry.choices import Education
from baolei.registry.forms import DateInput
from baolei.registry.models import Household
from baolei.registry.services import shown_id_number


class ScopedForm(BulmaFormMixin, forms.Form):
    def __init__(self, *args, scope: Scope, **kwargs):
        self.scope = scope
        super().__init__(*args, **kwargs)

    def _region_in_scope(self, name: str) -> str:
        return region_in_scope(self.scope, self.cleaned_data.get(name))


def organisations_in_scope(scope: Scope):
    return scoped(PartyOrganisation.objects.all(), scope)


def active_organisations(scope: Scope):
    return organisations_in_scope(scope).filter(status=OrganisationStatus.ACTIVE)


def possible_parents(scope: Scope):
    """Active committees and general branches in the scope or above it (a village branch
    of a township officer's scope sits under the township's committee, which is in it; a
    township committee sits under the county committee, which is above)."""
    candidates = PartyOrganisation.objects.filter(
        kind__in=PARENT_KINDS, status=OrganisationStatus.ACTIVE
    )
    if scope.region_code is None:
        return candidates
    above = codes.ancestors_of(scope.region_code)
    return candidates.filter(scope.q("region_code") | Q(region_code__in=above))


# --- filters -------------------------------------------------------------------------------


class RegionFilterForm(ScopedForm):
    region = forms.CharField(label=_("Region (code)"), required=False, max_length=12)

    def clean_region(self) -> str:
        return self._region_in_scope("region")


class OrganisationFilterForm(RegionFilterForm):
    q = forms.CharField(label=_("Name"), required=False, max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=any_choice(OrganisationKind))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=any_choice(OrganisationStatus)
    )


class HostFilterForm(RegionFilterForm):
    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=any_choice(HostKind))
    covered = forms.ChoiceField(
        label=_("Organisation coverage"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Covered")), ("no", _("Not covered"))],
    )


class MemberFilterForm(RegionFilterForm):
    q = forms.CharField(label=_("Name or ID number"), required=False, max_length=64)
    standing = forms.ChoiceField(
        label=_("Party standing"), required=False, choices=any_choice(MemberStanding)
    )
    category = forms.ChoiceField(
        label=_("Member category"), required=False, choices=any_choice(MemberCategory)
    )


class CoverageFilterForm(RegionFilterForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=any_choice(HostKind))


# --- organisations -------------------------------------------------------------------------


class OrganisationForm(ScopedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    region_code = forms.CharField(
        label=_("Region (code)"),
        max_length=12,
        help_text=_("The village (or township, county) the organisation belongs to."),
    )
    parent = forms.ModelChoiceField(
        label=_("Higher organisation"), queryset=PartyOrganisation.objects.none(), required=False
    )
    host_entity = forms.ModelChoiceField(
        label=_("Host entity"),
        queryset=HostEntity.objects.none(),
        required=False,
        help_text=_("Leave empty when the organisation is built in the village itself."),
    )
    covered_entities = forms.ModelMultipleChoiceField(
        label=_("Covered entities (joint branch)"),
        queryset=HostEntity.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    secretary_id_number = forms.CharField(
        label=_("Secretary's ID number"), max_length=18, required=False
    )
    secretary_name = forms.CharField(label=_("Secretary's name"), max_length=64, required=False)
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput())

    def __init__(self, *args, organisation: PartyOrganisation | None = None, **kwargs):
        if organisation is not None:
            secretary = organisation.secretary
            kwargs.setdefault(
                "initial",
                {
                    "kind": organisation.kind,
                    "name": organisation.name,
                    "region_code": organisation.region_code,
                    "parent": organisation.parent_id,
                    "host_entity": organisation.host_entity_id,
                    "covered_entities": list(
                        organisation.covered_entities.values_list("pk", flat=True)
                    ),
                    # Shown as every page shows it (masked for a role that may not see
                    # ID numbers); the service keeps the stored number when it comes back.
                    "secretary_id_number": (
                        shown_id_number(kwargs["scope"], secretary.id_number) if secretary else ""
                    ),
                    "secretary_name": secretary.name if secretary else "",
                    "founded_on": organisation.founded_on,
                },
            )
        super().__init__(*args, **kwargs)
        parents = possible_parents(self.scope)
        if organisation is not None:
            parents = parents.exclude(pk=organisation.pk)
        self.fields["parent"].queryset = parents.order_by("region_code", "name")
        entities = scoped(HostEntity.objects.all(), self.scope).order_by("region_code", "name")
        self.fields["host_entity"].queryset = entities
        self.fields["covered_entities"].queryset = entities

    def clean_region_code(self) -> str:
        return self._region_in_scope("region_code")

    def clean(self):
        data = super().clean()
        if bool(data.get("secretary_id_number")) != bool(data.get("secretary_name")):
            raise ValidationError(_("Give the secretary's ID number and name together."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["covered_entities"] = list(data["covered_entities"])
        return data


class StatusChangeForm(ScopedForm):
    to_status = forms.ChoiceField(label=_("New status"), choices=OrganisationStatus.choices)
    changed_on = forms.DateField(label=_("Date"), widget=DateInput())
    merged_into = forms.ModelChoiceField(
        label=_("Merged into"), queryset=PartyOrganisation.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organisation: PartyOrganisation, **kwargs):
        super().__init__(*args, **kwargs)
        others = active_organisations(self.scope).exclude(pk=organisation.pk)
        self.fields["merged_into"].queryset = others.order_by("region_code", "name")


# --- host entities -------------------------------------------------------------------------


class HostEntityForm(ScopedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=HostKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    region_code = forms.CharField(
        label=_("Region (code)"),
        max_length=12,
        required=False,
        help_text=_("Where it is registered; a chain project takes it from its villages."),
    )
    villages = forms.CharField(
        label=_("Villages (codes)"),
        required=False,
        help_text=_(
            "For a chain project: the 12-digit codes of its villages, separated by spaces."
        ),
    )
    registration_number = forms.CharField(
        label=_("Unified social credit code"), max_length=18, required=False
    )
    industry = forms.CharField(label=_("Industry"), max_length=64, required=False)
    size = forms.IntegerField(label=_("Size (members or employees)"), min_value=0, initial=0)
    founded_year = forms.IntegerField(label=_("Year founded"), required=False)
    instructor = forms.CharField(
        label=_("Party-building instructor"), max_length=64, required=False
    )
    last_activity_on = forms.DateField(
        label=_("Last party activity"), required=False, widget=DateInput()
    )

    def __init__(self, *args, entity: HostEntity | None = None, **kwargs):
        if entity is not None:
            initial = {
                name: getattr(entity, name) for name in self.base_fields if name != "villages"
            }
            initial["villages"] = " ".join(entity.villages.values_list("region_code", flat=True))
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def clean_region_code(self) -> str:
        return self._region_in_scope("region_code")

    def clean(self):
        data = super().clean()
        data["villages"] = (data.get("villages") or "").replace(",", " ").replace("，", " ").split()
        if not data.get("region_code") and not data["villages"]:
            self.add_error("region_code", _("Give the region or the villages."))
        return data


# --- members -------------------------------------------------------------------------------


class MemberForm(ScopedForm):
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    name = forms.CharField(label=_("Name"), max_length=64)
    branch = forms.ModelChoiceField(
        label=_("Party organisation of the member"), queryset=PartyOrganisation.objects.none()
    )
    joined_on = forms.DateField(label=_("Joined the party on"), widget=DateInput())
    standing = forms.ChoiceField(label=_("Party standing"), choices=MemberStanding.choices)
    category = forms.ChoiceField(label=_("Member category"), choices=MemberCategory.choices)
    posts = forms.CharField(label=_("Posts held"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        branches = active_organisations(self.scope).order_by("region_code", "name")
        self.fields["branch"].queryset = branches


class MemberEditForm(ScopedForm):
    joined_on = forms.DateField(label=_("Joined the party on"), widget=DateInput())
    standing = forms.ChoiceField(label=_("Party standing"), choices=MemberStanding.choices)
    category = forms.ChoiceField(label=_("Member category"), choices=MemberCategory.choices)
    posts = forms.CharField(label=_("Posts held"), max_length=200, required=False)


class TransferForm(ScopedForm):
    to_branch = forms.ModelChoiceField(
        label=_("To branch"), queryset=PartyOrganisation.objects.none()
    )
    transferred_on = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        branches = active_organisations(self.scope).exclude(pk=member.branch_id)
        self.fields["to_branch"].queryset = branches.order_by("region_code", "name")


class LinkForm(ScopedForm):
    household_number = forms.CharField(label=_("Household number"), max_length=32)
    started_on = forms.DateField(label=_("From"), widget=DateInput(), required=False)

    def clean_household_number(self) -> Household:
        number = self.cleaned_data["household_number"].strip()
        household = scoped(Household.objects.all(), self.scope).filter(number=number).first()
        if household is None:
            raise ValidationError(
                _("There is no household %(number)s in your scope."), params={"number": number}
            )
        return household


class EndForm(BulmaFormMixin, forms.Form):
    ended_on = forms.DateField(label=_("Until"), widget=DateInput(), required=False)


# --- two committees ------------------------------------------------------------------------


class CommitteePostForm(ScopedForm):
    kind = forms.ChoiceField(label=_("Post"), choices=CommitteePostKind.choices)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    name = forms.CharField(label=_("Name"), max_length=64)
    education = forms.ChoiceField(
        label=_("Education"), required=False, choices=[("", "—"), *Education.choices]
    )
    source = forms.ChoiceField(label=_("Source"), choices=HolderSource.choices)
    started_on = forms.DateField(label=_("Term from"), widget=DateInput())
    ended_on = forms.DateField(label=_("Term until"), widget=DateInput(), required=False)
    election = forms.ModelChoiceField(
        label=_("Election"), queryset=Election.objects.none(), required=False
    )

    def __init__(self, *args, village_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["election"].queryset = Election.objects.filter(region_code=village_code)


class ElectionForm(BulmaFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=ElectionKind.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
