"""Forms of the talent pages. They check what a person typed; the rules (the pipeline's
order, a request's life cycle, capacity and certificates) are in the services, whose
refusals the views put back on the right field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baolei.filter_forms import RegionFilterMixin, any_choice, search_field
from baolei.registry.forms import DateInput, ScopedFormMixin
from baolei.talent.choices import (
    InstitutionKind,
    RequestStatus,
    Satisfaction,
    Skill,
    Source,
    Stage,
    StudioKind,
)
from baolei.talent.models import Expert


class ScopedForm(ScopedFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Bulma's `input` class would draw each check box as a text box.
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs.pop("class", None)


class TalentFilterForm(RegionFilterMixin, ScopedForm):
    q = search_field()
    region = forms.CharField(label=_("Region (code)"), required=False, max_length=12)
    source = forms.ChoiceField(label=_("Talent source"), required=False, choices=any_choice(Source))
    skill = forms.ChoiceField(label=_("Skill"), required=False, choices=any_choice(Skill))
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=any_choice(Stage))


class TalentEditForm(ScopedForm):
    village_code = forms.CharField(label=_("Village (12-digit code)"), max_length=12)
    source = forms.ChoiceField(label=_("Talent source"), choices=Source.choices)
    skills = forms.MultipleChoiceField(
        label=_("Skills"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skill_notes = forms.CharField(
        label=_("Other skills and specialities"), max_length=200, required=False
    )
    occupation = forms.CharField(label=_("Current occupation"), max_length=100, required=False)


class TalentForm(TalentEditForm):
    """A person new to the pool: who they are, what can be edited later, how identified."""

    field_order = ["name", "id_number"]  # then the edit form's fields, then the rest

    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    identified_on = forms.DateField(label=_("Identified on"), widget=DateInput())
    how_identified = forms.CharField(
        label=_("How identified"),
        max_length=200,
        help_text=_("e.g. identified by village survey, recommended by the branch"),
    )


class StepForm(ScopedForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    taken_on = forms.DateField(label=_("Date"), widget=DateInput())
    what = forms.CharField(
        label=_("What was done"),
        max_length=200,
        help_text=_("e.g. trained in an e-commerce course, appointed cooperative head"),
    )


def village_codes(text: str) -> list[str]:
    """The codes of a villages box: separated by spaces, new lines or commas."""
    return [code for code in text.replace(",", " ").split() if code]


class StudioForm(ScopedForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=StudioKind.choices)
    region_code = forms.CharField(
        label=_("Host region (code)"),
        max_length=12,
        help_text=_("The county or township that hosts the studio."),
    )
    partner_name = forms.CharField(label=_("Partner institution"), max_length=120)
    partner_kind = forms.ChoiceField(label=_("Kind of partner"), choices=InstitutionKind.choices)
    established_on = forms.DateField(label=_("Established on"), required=False, widget=DateInput())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    villages = forms.CharField(
        label=_("Villages served"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("12-digit village codes, separated by spaces or new lines."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.scope.region_code:
            self.initial.setdefault("region_code", self.scope.region_code)

    def clean_villages(self) -> list[str]:
        return village_codes(self.cleaned_data["villages"])


class VillagesForm(ScopedForm):
    villages = StudioForm.base_fields["villages"]

    def clean_villages(self) -> list[str]:
        return village_codes(self.cleaned_data["villages"])


class ExpertForm(ScopedForm):
    name = forms.CharField(label=_("Name"), max_length=64)
    title = forms.CharField(label=_("Professional title"), max_length=64, required=False)
    institution = forms.CharField(label=_("Institution"), max_length=120, required=False)
    speciality = forms.CharField(label=_("Speciality"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)


class RequestForm(ScopedForm):
    """Filled in on a phone in the village: the studio, the village, the need."""

    studio = forms.ChoiceField(label=_("Studio"))
    village_code = forms.CharField(label=_("Village (12-digit code)"), max_length=12)
    need = forms.CharField(
        label=_("What the village needs"), widget=forms.Textarea(attrs={"rows": 4})
    )
    contact = forms.CharField(label=_("Contact person and phone"), max_length=100, required=False)
    requested_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())

    def __init__(self, *args, studios, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["studio"].choices = [("", "—"), *[(str(s.pk), s.name) for s in studios]]
        if self.scope.region_code and len(self.scope.region_code) == 12:
            self.initial.setdefault("village_code", self.scope.region_code)


class RequestFilterForm(ScopedForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=any_choice(RequestStatus))


class DeliveryForm(ScopedForm):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DateInput())
    experts = forms.ModelMultipleChoiceField(
        label=_("Experts"),
        queryset=Expert.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    work_done = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    people_reached = forms.IntegerField(label=_("People reached"), min_value=0, initial=0)

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = studio.experts.all()


class FollowUpForm(ScopedForm):
    followed_on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), required=False, choices=[("", "—"), *Satisfaction.choices]
    )


class CloseForm(ScopedForm):
    note = forms.CharField(label=_("Closing note"), max_length=200, required=False)


class CourseForm(ScopedForm):
    code = forms.CharField(label=_("Course code"), max_length=32)
    title = forms.CharField(label=_("Course title"), max_length=120)
    subject = forms.ChoiceField(label=_("Subject"), choices=Skill.choices)
    organiser = forms.CharField(label=_("Organiser"), max_length=120)
    region_code = forms.CharField(label=_("Host region (code)"), max_length=12)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)
    hours = forms.IntegerField(label=_("Hours"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.scope.region_code:
            self.initial.setdefault("region_code", self.scope.region_code)


class EnrolForm(ScopedForm):
    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    village_code = forms.CharField(label=_("Village (12-digit code)"), max_length=12)
    enrolled_on = forms.DateField(label=_("Enrolled on"), required=False, widget=DateInput())


PASSED_CHOICES = [("", _("Not assessed yet")), ("yes", _("Passed")), ("no", _("Not passed"))]


class CompletionForm(ScopedForm):
    hours_attended = forms.IntegerField(label=_("Hours attended"), min_value=0, required=False)
    passed = forms.ChoiceField(label=_("Assessment"), choices=PASSED_CHOICES, required=False)
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=40, required=False
    )
    certificate_issued_on = forms.DateField(
        label=_("Certificate issued on"), required=False, widget=DateInput()
    )

    def clean_passed(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["passed"])


class TrainingCountsForm(RegionFilterMixin, ScopedForm):
    region = forms.CharField(label=_("Region (code)"), required=False, max_length=12)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class CountsForm(RegionFilterMixin, ScopedForm):
    region = forms.CharField(label=_("Region (code)"), required=False, max_length=12)
