"""Forms of the cadre pages. They check what a person typed; the rules (scope, one
record per person, entered kinds, dates) are in `services` and `services.leaders`, whose refusals
the views put back on the right field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import scoped
from baolei.cadres import choices
from baolei.cadres.models import Cadre
from baolei.cadres.services.achievements import Period
from baolei.cadres.services.cadres import CadreFilters
from baolei.cadres.services.ranking import WEIGHT_LABELS, Weights, default_period
from baolei.filter_forms import RegionFilterMixin, any_choice, search_field
from baolei.forms import BulmaFormMixin
from baolei.registry.forms import DateInput, ScopedFormMixin
from baolei.registry.models import Household


class CadreFilterForm(RegionFilterMixin, ScopedFormMixin, forms.Form):
    q = search_field()
    region = forms.CharField(label=_("Region (code)"), required=False, max_length=12)
    unit = forms.CharField(label=_("Work unit"), required=False, max_length=120)
    rank = forms.ChoiceField(label=_("Rank"), required=False, choices=any_choice(choices.Rank))
    political_status = forms.ChoiceField(
        label=_("Political status"), required=False, choices=any_choice(choices.PoliticalStatus)
    )

    def to_filters(self) -> CadreFilters:
        data = self.cleaned_data if self.is_bound else {}
        return CadreFilters(
            region=data.get("region") or None,
            unit=data.get("unit") or None,
            rank=data.get("rank") or None,
            political_status=data.get("political_status") or None,
            search=data.get("q") or None,
        )


class CadreForm(ScopedFormMixin, forms.ModelForm):
    """A new cadre (with their person) or the file of an existing one (the person's name
    and ID number are not changed here: they belong to the register)."""

    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    class Meta:
        model = Cadre
        fields = [
            "region_code",
            "unit",
            "post",
            "rank",
            "political_status",
            "education",
            "specialities",
            "work_started_on",
        ]
        widgets = {
            "work_started_on": DateInput(),
            "specialities": forms.Textarea(attrs={"rows": 3, "class": "textarea"}),
        }
        help_texts = {
            "region_code": _("Where the cadre works: a county, township or village code."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("name", "id_number", "phone"):
                del self.fields[name]
        elif self.scope.region_code:
            self.initial.setdefault("region_code", self.scope.region_code)
        self.order_fields(["name", "id_number", "phone"])

    def cadre_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DisciplineForm(BulmaFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Sanction"), choices=choices.DisciplineKind.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    ends_on = forms.DateField(label=_("In effect until"), required=False, widget=DateInput())
    authority = forms.CharField(label=_("Decided by"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AchievementForm(ScopedFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (kind.value, kind.label)
            for kind in (choices.AchievementKind.PROJECT, choices.AchievementKind.OTHER)
        ],
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    region_code = forms.CharField(label=_("Village (12-digit code)"), max_length=12)
    household = forms.CharField(
        label=_("Household number"),
        max_length=32,
        required=False,
        help_text=_("Optional: the household it concerns, in that village."),
    )
    achieved_on = forms.DateField(label=_("Date"), widget=DateInput())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000, initial=1)
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Documents, minutes, photos: where to find them. Or attach a file."),
    )
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence_file"].widget.attrs["class"] = ""
        self.initial.setdefault("achieved_on", timezone.localdate())

    def clean_household(self) -> Household | None:
        number = (self.cleaned_data.get("household") or "").strip()
        if not number:
            return None
        household = scoped(Household.objects.all(), self.scope).filter(number=number).first()
        if household is None:
            raise ValidationError(_("There is no household with this number in your scope."))
        return household


class AssessmentForm(BulmaFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    score = forms.DecimalField(
        label=_("Score"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=2
    )
    grade = forms.ChoiceField(label=_("Grade"), choices=choices.Grade.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year - 1)


class PeriodForm(BulmaFormMixin, forms.Form):
    """The period of the achievements shown (GET); the ranking's default otherwise."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def period(self) -> Period:
        default = default_period()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start, end = data.get("start") or default.start, data.get("end") or default.end
        return Period(start, end) if start <= end else default


class RankingForm(RegionFilterMixin, ScopedFormMixin, forms.Form):
    """The ranking's filters, its period and its weights (GET)."""

    region = forms.CharField(label=_("Region (code)"), required=False, max_length=12)
    unit = forms.CharField(label=_("Work unit"), required=False, max_length=120)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = Weights()
        for name in Weights.names():
            value = getattr(defaults, name)
            if isinstance(value, int):
                field = forms.IntegerField(min_value=0, max_value=10_000)
            else:
                field = forms.DecimalField(min_value=0, max_value=1000, decimal_places=2)
            field.label = WEIGHT_LABELS[name]
            field.required = False
            field.widget.attrs.update(placeholder=str(value), step="any")
            self.fields[f"w_{name}"] = field

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(_("The period must start before it ends."))
        return data

    def period(self) -> Period:
        default = default_period()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Period(data.get("start") or default.start, data.get("end") or default.end)

    def weights(self) -> Weights:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        given = {
            name: data[f"w_{name}"] for name in Weights.names() if data.get(f"w_{name}") is not None
        }
        return Weights(**given)

    def filters(self) -> CadreFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return CadreFilters(region=data.get("region") or None, unit=data.get("unit") or None)


class DecisionForm(BulmaFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=choices.IncentiveKind.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    decided_by = forms.CharField(label=_("Decided by"), max_length=150)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("decided_on", timezone.localdate())


class LeaderFilterForm(RegionFilterMixin, ScopedFormMixin, forms.Form):
    q = search_field()
    region = forms.CharField(label=_("Region (code)"), required=False, max_length=12)
    source = forms.ChoiceField(
        label=_("Recommended source"), required=False, choices=any_choice(choices.LeaderSource)
    )
    category = forms.ChoiceField(
        label=_("Pool"), required=False, choices=any_choice(choices.LeaderCategory)
    )


class LeaderEditForm(ScopedFormMixin, forms.Form):
    """A pool member's own fields; the person (name, ID number) belongs to the register."""

    region_code = forms.CharField(label=_("Village (12-digit code)"), max_length=12)
    category = forms.ChoiceField(label=_("Pool"), choices=choices.LeaderCategory.choices)
    source = forms.ChoiceField(label=_("Recommended source"), choices=choices.LeaderSource.choices)
    party_member = forms.BooleanField(label=_("Party member"), required=False)
    education = forms.ChoiceField(label=_("Education"), choices=choices.Education.choices)
    occupation = forms.CharField(label=_("Occupation"), max_length=120, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LeaderForm(LeaderEditForm):
    """A person new to the pool: who they are, the pool member's fields, when identified."""

    field_order = ["name", "id_number", "phone"]  # then the edit form's fields, then the rest

    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    identified_on = forms.DateField(label=_("Identified on"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("identified_on", timezone.localdate())


class StepForm(BulmaFormMixin, forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=choices.DevelopmentStep.choices)
    done_on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("done_on", timezone.localdate())
