"""Forms of the register's pages. They check what a person typed; the rules of the
register itself (one person, one household; the ID number; optimistic locking) are in
`services`, whose refusals the views put back on the right field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope
from baolei.filter_forms import any_choice
from baolei.forms import BulmaFormMixin
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry import choices
from baolei.registry.models import Helper, Household, HouseholdYear, Member, Pairing
from baolei.registry.services import pairing as services_pairing
from baolei.registry.services import people as services
from baolei.registry.services import years as services_years

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class DateInput(forms.DateInput):
    """The phone's own date picker, with the ISO value it expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ScopedFormMixin(BulmaFormMixin):
    def __init__(self, *args, scope: Scope, **kwargs):
        self.scope = scope
        super().__init__(*args, **kwargs)


class VillageField(forms.CharField):
    """A village typed or picked by its 12-digit code; it must lie within the scope."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("label", _("Village (12-digit code)"))
        super().__init__(*args, **kwargs)
        self.scope: Scope | None = None

    def prepare_value(self, value):
        return value.code if isinstance(value, Region) else value

    def clean(self, value):
        code = (super().clean(value) or "").strip()
        if not code:
            return None
        region = Region.objects.filter(code=code, level=Level.VILLAGE).first()
        if region is None:
            raise ValidationError(
                _("There is no village with the code %(code)s."), params={"code": code}
            )
        if self.scope is not None and not self.scope.contains(region.code):
            raise ValidationError(_("This village is outside your scope."))
        return region


class HouseholdFilterForm(ScopedFormMixin, forms.Form):
    """The household list's filters (GET). Also read by the export, which takes the same
    parameters: `to_filters()` is what both hand to `services.filter_households`."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Household number, name or ID number")}
        ),
    )
    region = forms.CharField(label=_("Region (code)"), required=False, max_length=12)
    status = forms.ChoiceField(label=_("Poverty status"), required=False)
    monitoring_type = forms.ChoiceField(label=_("Monitoring type"), required=False)
    main_cause = forms.ChoiceField(label=_("Main cause"), required=False)
    attribute = forms.ChoiceField(label=_("Household attribute"), required=False)
    registered = forms.ChoiceField(label=_("Registered poor"), required=False, choices=YES_NO)
    monitored = forms.ChoiceField(label=_("Monitored"), required=False, choices=YES_NO)
    not_visited = forms.IntegerField(
        label=_("Not visited for (days)"), required=False, min_value=1, max_value=3650
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = any_choice(choices.PovertyStatus)
        self.fields["monitoring_type"].choices = any_choice(choices.MonitoringType)
        self.fields["main_cause"].choices = any_choice(choices.PovertyCause)
        self.fields["attribute"].choices = any_choice(choices.HouseholdAttribute)

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        if not code:
            return ""
        if not codes.is_region_code(code) or not Region.objects.filter(code=code).exists():
            raise ValidationError(
                _("There is no region with the code %(code)s."), params={"code": code}
            )
        if not self.scope.contains(code):
            raise ValidationError(_("This region is outside your scope."))
        return code

    def to_filters(self) -> services.HouseholdFilters:
        data = self.cleaned_data if self.is_bound else {}

        def yes_no(name: str) -> bool | None:
            return {"yes": True, "no": False}.get(data.get(name) or "")

        return services.HouseholdFilters(
            region=data.get("region") or None,
            status=data.get("status") or None,
            monitoring_type=data.get("monitoring_type") or None,
            main_cause=data.get("main_cause") or None,
            attribute=data.get("attribute") or None,
            registered=yes_no("registered"),
            monitored=yes_no("monitored"),
            not_visited_days=data.get("not_visited") or None,
            search=data.get("q") or None,
        )


# Whether the household is registered as poor and its monitoring type are not among
# them: procedures change them (services.PROCEDURE_FIELDS), and the service refuses them.
EDITABLE_FIELDS = services.HOUSEHOLD_FIELDS


class HouseholdForm(ScopedFormMixin, forms.ModelForm):
    """The household's own fields. Its status, whether it is registered as poor and its
    monitoring type are not here: procedures change them."""

    village = VillageField()

    class Meta:
        model = Household
        fields = list(EDITABLE_FIELDS)
        widgets = {"address": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].scope = self.scope
        if self.instance.pk:
            self.initial["village"] = self.instance.village_id

    def household_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class HouseholdCreateForm(HouseholdForm):
    """A new household, with its status on entering the register and its head.

    An existing register being entered: a household given a status is a registered poor
    household (the service derives it from the status, `services.registered_on_entry`);
    one without is not registered yet, and becomes so only through identification. A
    monitoring type cannot be given: it comes with a monitoring case and its procedure.
    """

    head_name = forms.CharField(label=_("Head of household: name"), max_length=64)
    head_id_number = forms.CharField(label=_("Head of household: ID number"), max_length=24)
    head_labour_capacity = forms.ChoiceField(
        label=_("Head of household: labour capacity"), choices=choices.LabourCapacity.choices
    )

    class Meta(HouseholdForm.Meta):
        fields = [*EDITABLE_FIELDS, "status", "status_since"]
        widgets = {"address": forms.TextInput(), "status_since": DateInput()}


class HouseholdEditForm(HouseholdForm):
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class MemberForm(ScopedFormMixin, forms.ModelForm):
    """A member: the person (one record per ID number) and their place in the household.

    Without the right to see personal data the form neither shows the ID number nor the
    health fields: the number can be replaced by typing a new one, health stays as it is.
    """

    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("From the ID number")), *choices.Sex.choices],
        help_text=_("Leave empty to take it from the ID number; if given, it must agree."),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to take it from the ID number; if given, it must agree."),
    )
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=32, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    class Meta:
        model = Member
        fields = list(services.MEMBER_FIELDS)

    field_order = ["name", "id_number", "sex", "birth_date", "relation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sees_personal_data = self.scope.can(Perm.SEE_PERSONAL_DATA)
        person = self.instance.person if self.instance.pk else None
        if not self.sees_personal_data:
            del self.fields["health"]
            del self.fields["disability_grade"]
        if person is not None and not self.is_bound:
            self.initial.update(name=person.name, ethnicity=person.ethnicity, phone=person.phone)
            if self.sees_personal_data:
                self.initial.update(
                    id_number=person.id_number, sex=person.sex, birth_date=person.birth_date
                )
        if person is not None and not self.sees_personal_data:
            field = self.fields["id_number"]
            field.required = False
            field.help_text = _("Now %(masked)s. Type a number only to replace it.") % {
                "masked": person.masked_id_number
            }

    def person_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in services.PERSON_FIELDS}
        data["sex"] = data["sex"] or None
        if not data["id_number"]:
            del data["id_number"]
        return data

    def member_fields(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in services.MEMBER_FIELDS if name in self.fields
        }


class YearForm(BulmaFormMixin, forms.ModelForm):
    """Income by kind and the assurances of one year; the per-capita figure is computed."""

    class Meta:
        model = HouseholdYear
        fields = [*services_years.INCOME_FIELDS, "member_count", *services_years.ASSURANCE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        notes = self.instance.assurance_notes or {}
        for name, label in choices.ASSURANCES:
            field = forms.CharField(
                label=_("%(assurance)s: note") % {"assurance": label},
                required=False,
                max_length=200,
            )
            self.fields[f"{name}_note"] = field
            self.initial.setdefault(f"{name}_note", notes.get(name, ""))
        self.order_fields(
            [*services_years.INCOME_FIELDS, "member_count"]
            + [item for name in services_years.ASSURANCE_FIELDS for item in (name, f"{name}_note")]
        )
        for name in services_years.INCOME_FIELDS:
            self.fields[name].widget.attrs.update(inputmode="decimal", min="0")

    def year_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in services_years.INCOME_FIELDS}
        data.update({name: self.cleaned_data[name] for name in services_years.ASSURANCE_FIELDS})
        data["member_count"] = self.cleaned_data["member_count"]
        data["assurance_notes"] = {
            name: self.cleaned_data[f"{name}_note"]
            for name in services_years.ASSURANCE_FIELDS
            if self.cleaned_data.get(f"{name}_note")
        }
        return data


BIG = {"class": "input is-medium"}


class VisitForm(ScopedFormMixin, forms.Form):
    """Made for a first secretary on a phone: few, large inputs; the date is today.

    The helper is one of the household's helpers (its current pairing), preselected when
    it is the user's own helper record. The date may not be in the future, nor before the
    helper's pairing with the household began (without a helper, before the register's
    earliest year).
    """

    visited_on = forms.DateField(label=_("Visit date"), widget=DateInput(attrs=BIG))
    findings = forms.CharField(
        label=_("What was found"),
        widget=forms.Textarea(attrs={"class": "textarea is-medium", "rows": 3}),
    )
    actions = forms.CharField(
        label=_("What was done"),
        required=False,
        widget=forms.Textarea(attrs={"class": "textarea is-medium", "rows": 2}),
    )
    follow_up = forms.CharField(
        label=_("Follow-up"),
        required=False,
        widget=forms.Textarea(attrs={"class": "textarea is-medium", "rows": 2}),
    )
    helper = forms.ModelChoiceField(
        label=_("Visited by (helper)"),
        queryset=None,
        required=False,
        empty_label=_("— not a helper —"),
    )

    def __init__(self, *args, household: Household, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.pairings = {
            pairing.helper_id: pairing
            for pairing in Pairing.objects.filter(household=household, ended_on__isnull=True)
        }
        helpers = Helper.objects.filter(pk__in=self.pairings).select_related("person")
        self.fields["helper"].queryset = helpers.order_by("person__name", "pk")
        today = timezone.localdate()
        own = helper_of(user, helpers)
        self.initial.setdefault("visited_on", today)
        self.initial.setdefault("helper", own)
        # The phone's date picker offers only the dates the form accepts.
        earliest = self.pairings[own.pk].started_on if own else services_pairing.EARLIEST_VISIT
        attrs = self.fields["visited_on"].widget.attrs
        attrs.update(min=earliest.isoformat(), max=today.isoformat())

    # The dates are checked by services_pairing.do_record_visit, for the API as well.


helper_of = services_pairing.helper_of


class PairingForm(ScopedFormMixin, forms.Form):
    helper = forms.ModelChoiceField(label=_("Responsible helper"), queryset=None)
    started_on = forms.DateField(label=_("From"), widget=DateInput())

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        helpers = services_pairing.helpers_for(self.scope).select_related("person")
        # Any helper in scope is accepted; only a few are listed (the rest by the search).
        self.fields["helper"].queryset = helpers.order_by("person__name", "pk")
        chosen = self.data.get("helper") if self.is_bound else None
        offered = services_pairing.helpers_to_offer(self.scope, household, chosen=chosen)
        self.fields["helper"].widget.choices = [("", "---------")] + [
            (helper.pk, str(helper)) for helper in offered
        ]
        self.initial.setdefault("started_on", timezone.localdate())


class HelperForm(ScopedFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    unit = forms.CharField(label=_("Work unit"), max_length=120)
    post = forms.CharField(label=_("Post"), max_length=64, required=False)
    region_code = forms.CharField(
        label=_("Works in (region code)"),
        max_length=12,
        help_text=_("The region where the helper works: a village, township or county."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.scope.region_code:
            self.initial.setdefault("region_code", self.scope.region_code)
