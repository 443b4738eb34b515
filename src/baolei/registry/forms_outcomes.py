"""Forms of the procedures and monitoring pages. They only collect input: the rules live in
`procedures` and `monitoring`, whose refusals the views turn into form errors."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.forms import BulmaFormMixin
from baolei.registry import choices
from baolei.registry.forms import DateInput
from baolei.registry.models import Procedure

TEXTAREA = {"rows": 3, "class": "textarea"}


def _today():
    return timezone.localdate()


class ProcedureStartForm(BulmaFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Procedure"), choices=Procedure.Kind.choices)
    date = forms.DateField(label=_("Start date"), initial=_today, widget=DateInput())


class StepForm(BulmaFormMixin, forms.Form):
    """The next step of a procedure. `step` names the step the user saw, so that two people
    submitting the same step cannot record the one after it by accident."""

    APPROVE, REJECT = "approve", "reject"

    step = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(label=_("Date"), initial=_today, widget=DateInput())
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Passed: go on")), (REJECT, _("Not passed: reject"))],
        initial=APPROVE,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs.pop("class", None)  # radios are not text inputs

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("note", "").strip():
            self.add_error("note", _("Give the reason for the rejection."))
        return cleaned

    @property
    def approved(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE


class RiskEventForm(BulmaFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Risk"), choices=choices.RiskKind.choices)
    occurred_on = forms.DateField(label=_("Date"), initial=_today, widget=DateInput())
    route = forms.ChoiceField(
        label=_("Identification route"),
        choices=choices.IdentificationRoute.choices,
        initial=choices.IdentificationRoute.CADRE_SCREENING,
        help_text=_("How the risk came to light; used if a monitoring case is opened."),
    )
    note = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


class RiskResolveForm(BulmaFormMixin, forms.Form):
    resolved_on = forms.DateField(label=_("Resolved on"), initial=_today, widget=DateInput())


class MeasureForm(BulmaFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=choices.MeasureKind.choices)
    started_on = forms.DateField(label=_("Started"), initial=_today, widget=DateInput())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


class YearForm(forms.Form):
    """`?year=` on the list pages; a bad value falls back to the default year."""

    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
