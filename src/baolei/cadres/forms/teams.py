"""Forms of the work-team pages: plain input checks; the rules live in the services."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.cadres.models import (
    AttendanceRule,
    DutyKind,
    DutyStatus,
    EndReason,
    FundKind,
    Industry,
    MemberRole,
    SelectionRules,
)
from baolei.cadres.services.teams import attendance_period
from baolei.forms import BulmaFormMixin

DATE = forms.DateInput(attrs={"type": "date"})


def this_year() -> int:
    return timezone.localdate().year


class TeamForm(BulmaFormMixin, forms.Form):
    village = forms.CharField(label=_("Village (12-digit code)"), max_length=12)
    dispatching_unit = forms.CharField(label=_("Dispatching unit"), max_length=120)
    starts_on = forms.DateField(label=_("Term starts"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Term ends"),
        widget=DATE,
        required=False,
        help_text=_("Empty: two years after the start."),
    )
    funds = forms.DecimalField(
        label=_("Work funds (yuan)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )


class MemberForm(BulmaFormMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=_("Cadre"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)
    starts_on = forms.DateField(label=_("In post from"), widget=DATE)

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class RotateForm(BulmaFormMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=_("Successor"), queryset=None)
    on = forms.DateField(label=_("Successor in post from"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class EndMemberForm(BulmaFormMixin, forms.Form):
    ended_on = forms.DateField(label=_("Leaves the post on"), widget=DATE)
    reason = forms.ChoiceField(
        label=_("Reason for leaving"),
        choices=[
            (EndReason.RECALLED, EndReason.RECALLED.label),
            (EndReason.TERM_ENDED, EndReason.TERM_ENDED.label),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RecallForm(BulmaFormMixin, forms.Form):
    on = forms.DateField(label=_("Recalled on"), widget=DATE)
    reason = forms.CharField(label=_("Reason for recall"), max_length=500)


class DutyForm(BulmaFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Duty"), choices=DutyKind.choices)
    description = forms.CharField(label=_("Description"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class DutyStatusForm(BulmaFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DutyStatus.choices)
    done_on = forms.DateField(
        label=_("Done on"), widget=DATE, required=False, help_text=_("Empty: today.")
    )
    result = forms.CharField(label=_("Result"), max_length=500, required=False)


class TeamEditForm(BulmaFormMixin, forms.Form):
    """What a team is, not what happened to it (see `services_teams.do_update_team`)."""

    dispatching_unit = forms.CharField(label=_("Dispatching unit"), max_length=120)
    ends_on = forms.DateField(label=_("Term ends"), widget=DATE)
    funds = forms.DecimalField(
        label=_("Work funds (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )


class FundEntryForm(BulmaFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FundKind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200)


class AttendanceForm(BulmaFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)
    days = forms.IntegerField(label=_("Days in the village"), min_value=0, max_value=31)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PeriodForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
    month = forms.IntegerField(min_value=1, max_value=12, required=False)

    def period(self) -> tuple[int, int | None]:
        """The year and month asked for, with the defaults of `attendance_period` (the
        same for the page, its export and the API)."""
        if not self.is_valid():
            return attendance_period(None, None)
        return attendance_period(self.cleaned_data["year"], self.cleaned_data["month"])


class LeaveForm(BulmaFormMixin, forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class DecisionForm(forms.Form):
    approve = forms.BooleanField(required=False)
    note = forms.CharField(max_length=200, required=False)


class AttendanceRuleForm(BulmaFormMixin, forms.ModelForm):
    class Meta:
        model = AttendanceRule
        fields = ["min_days_month", "min_days_year", "short_leave_days"]


class SelectionRulesForm(BulmaFormMixin, forms.ModelForm):
    class Meta:
        model = SelectionRules
        fields = [
            "party_member_required",
            "no_discipline_required",
            "max_age",
            "reference_date",
            "min_experience_years",
            "min_education",
            "keywords",
            "monitored_threshold",
            "poverty_incidence_threshold",
            "poverty_threshold",
        ]
        widgets = {"reference_date": DATE}


class CandidateForm(BulmaFormMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=_("Cadre"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=this_year)
    put_forward_by = forms.CharField(label=_("Put forward by"), max_length=120, required=False)
    industries = forms.MultipleChoiceField(
        label=_("Industries"),
        choices=Industry.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    weak_branch_experience = forms.BooleanField(
        label=_("Experience with weak branches"), required=False
    )
    assistance_experience = forms.BooleanField(
        label=_("Targeted-assistance experience"), required=False
    )
    agriculture_experience = forms.BooleanField(label=_("Agricultural experience"), required=False)
    experience = forms.CharField(
        label=_("Relevant experience"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class MatchingForm(BulmaFormMixin, forms.Form):
    region = forms.CharField(label=_("Region (code)"), max_length=12)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=this_year)
    starts_on = forms.DateField(
        label=_("Terms start"), widget=DATE, initial=lambda: timezone.localdate()
    )


def default_date() -> datetime.date:
    return timezone.localdate()
