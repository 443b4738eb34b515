"""Forms of the procedures and monitoring pages. They only collect input: the rules live in
`services.procedures` and `services.monitoring`, whose refusals the views turn into form errors."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.forms import BulmaFormMixin
from baolei.registry import choices
from baolei.registry.forms.households import DateInput
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


# --- lines and populations ----------------------------------------------------------------

AMOUNT = {"max_digits": 8, "decimal_places": 2, "min_value": 0}
PERCENT = {"max_digits": 4, "decimal_places": 2, "min_value": 0, "max_value": Decimal("99.99")}


class StandardForm(BulmaFormMixin, forms.Form):
    """The lines of one region and year. `regions` are those the user may set (see
    `services_standards.settable_regions`); region and year are fixed once created."""

    region_code = forms.ChoiceField(label=_("Region"), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    poverty_line = forms.DecimalField(
        label=_("Poverty line (yuan per person per year)"), required=False, **AMOUNT
    )
    monitoring_line = forms.DecimalField(
        label=_("Monitoring income line (yuan per person per year)"), required=False, **AMOUNT
    )
    village_incidence_limit = forms.DecimalField(
        label=_("Village exit: incidence below (%)"), initial=2, **PERCENT
    )
    western_incidence_limit = forms.DecimalField(
        label=_("Village exit in western provinces: incidence below (%)"), initial=3, **PERCENT
    )
    source = forms.CharField(label=_("Source"), max_length=200, required=False)

    def __init__(self, *args, regions=(), fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = list(regions)
        if fixed:
            for name in ("region_code", "year"):
                self.fields[name].disabled = True
                self.fields[name].required = False

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "poverty_line",
                "monitoring_line",
                "village_incidence_limit",
                "western_incidence_limit",
                "source",
            )
        }


class PopulationsForm(BulmaFormMixin, forms.Form):
    """One village's rural population per input (`population-<code>`), for one year; an
    empty input leaves the village as it is."""

    source = forms.CharField(label=_("Source"), max_length=200, required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        for village in villages:
            self.fields[f"population-{village.code}"] = forms.IntegerField(
                label=village.name,
                required=False,
                min_value=1,
                max_value=10_000_000,
                widget=forms.NumberInput(attrs={"class": "input is-small", "min": 1}),
            )

    def populations(self) -> dict[str, int]:
        return {
            name.removeprefix("population-"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("population-") and value is not None
        }
