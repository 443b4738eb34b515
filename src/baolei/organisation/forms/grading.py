"""Forms of the grading, rectification and organisation-life pages. They check what a
person typed; the rules are in `services.grading`, `services.rectification` and
`services.life`, whose refusals the views put back on the right field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.forms import BulmaFormMixin
from baolei.organisation.models import (
    CriterionRule,
    Grade,
    GradingChecklist,
    LifeKind,
)
from baolei.organisation.services import grading
from baolei.registry.forms import DateInput


def _this_year() -> int:
    return timezone.localdate().year


class ChecklistForm(BulmaFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    copy_from = forms.ModelChoiceField(
        label=_("Copy indicators and bands from"),
        queryset=GradingChecklist.objects.none(),
        required=False,
        empty_label=_("(start with the default bands)"),
    )

    def __init__(self, *args, checklists=None, **kwargs):
        super().__init__(*args, **kwargs)
        if checklists is not None:
            self.fields["copy_from"].queryset = checklists


class IndicatorForm(BulmaFormMixin, forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    max_score = forms.DecimalField(
        label=_("Maximum score"), max_digits=6, decimal_places=2, min_value=Decimal("0.01")
    )
    weight = forms.DecimalField(
        label=_("Weight"), max_digits=5, decimal_places=2, initial=Decimal(1)
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BandForm(BulmaFormMixin, forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    min_percent = forms.DecimalField(
        label=_("From (percent of the maximum)"), max_digits=5, decimal_places=2
    )
    counts_as_lagging = forms.BooleanField(label=_("Counts as lagging"), required=False)


class GradingForm(BulmaFormMixin, forms.Form):
    """One score field (plus evidence and attachment) per indicator of the checklist."""

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, checklist: GradingChecklist, grading=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(checklist.indicators.all())
        existing = {s.indicator_id: s for s in grading.scores.all()} if grading else {}
        if grading is not None:
            self.fields["note"].initial = grading.note
        for indicator in self.indicators:
            score = existing.get(indicator.pk)
            self.fields[f"score_{indicator.pk}"] = forms.DecimalField(
                label=indicator.name,
                min_value=Decimal(0),
                max_value=indicator.max_score,
                max_digits=6,
                decimal_places=2,
                required=False,
                initial=score.score if score else None,
                widget=forms.NumberInput(
                    attrs={"step": "0.5", "inputmode": "decimal", "class": "input score"}
                ),
            )
            self.fields[f"evidence_{indicator.pk}"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                initial=score.evidence if score else "",
                widget=forms.Textarea(attrs={"rows": 1}),
            )
            self.fields[f"attachment_{indicator.pk}"] = forms.CharField(
                label=_("Attachment reference"),
                max_length=200,
                required=False,
                initial=score.attachment if score else "",
            )
        # The note goes last, after the indicators.
        self.order_fields([name for name in self.fields if name != "note"] + ["note"])

    def rows(self):
        for indicator in self.indicators:
            yield (
                indicator,
                self[f"score_{indicator.pk}"],
                self[f"evidence_{indicator.pk}"],
                self[f"attachment_{indicator.pk}"],
            )

    def scores(self) -> dict[int, Decimal]:
        """The scores typed so far (for the live total), valid or not yet complete."""
        found = {}
        for indicator in self.indicators:
            raw = self.data.get(f"score_{indicator.pk}", "")
            try:
                value = Decimal(str(raw).strip())
            except (ArithmeticError, ValueError):
                continue
            if value.is_finite() and Decimal(0) <= value <= indicator.max_score:
                found[indicator.pk] = value
        return found

    def entries(self) -> dict[int, grading.ScoreEntry]:
        data = self.cleaned_data
        return {
            indicator.pk: grading.ScoreEntry(
                score=data.get(f"score_{indicator.pk}"),
                evidence=data.get(f"evidence_{indicator.pk}") or "",
                attachment=data.get(f"attachment_{indicator.pk}") or "",
            )
            for indicator in self.indicators
        }


class CriterionForm(BulmaFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Criterion"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rule = forms.ChoiceField(label=_("Check"), choices=CriterionRule.choices)


class DesignationForm(BulmaFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    criteria = forms.ModelMultipleChoiceField(
        label=_("Criteria met"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    designated_on = forms.DateField(label=_("Designated on"), widget=DateInput())

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].queryset = criteria


class TaskForm(BulmaFormMixin, forms.Form):
    description = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 2}))
    owner_name = forms.CharField(label=_("Owner"), max_length=150)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())


class NoteForm(BulmaFormMixin, forms.Form):
    noted_on = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(BulmaFormMixin, forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[("passed", _("Passed")), ("failed", _("Failed"))],
        widget=forms.RadioSelect,
    )
    verified_on = forms.DateField(label=_("Verified on"), widget=DateInput())
    note = forms.CharField(
        label=_("Verification note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(BulmaFormMixin, forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput())


class LifeForm(BulmaFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=LifeKind.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    attended = forms.IntegerField(
        label=_("Attended"), min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    expected = forms.IntegerField(
        label=_("Expected"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A photo of the meeting: JPEG, PNG or WebP, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = branches
        self.fields["photo"].widget.attrs["class"] = ""
        # A village records for its own branch: no choice to make, none to get wrong.
        only = list(branches[:2])
        if len(only) == 1:
            self.fields["organisation"].empty_label = None
            self.initial.setdefault("organisation", only[0].pk)
