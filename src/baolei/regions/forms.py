from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from baolei.forms import BulmaFormMixin
from baolei.regions import codes


class ReloadRegionsForm(BulmaFormMixin, forms.Form):
    only = forms.CharField(
        label=_("Only this region (code)"),
        max_length=12,
        required=False,
        help_text=_("Leave empty to reload the whole country (about 10 seconds)."),
    )

    def clean_only(self) -> str:
        code = self.cleaned_data["only"].strip()
        if code and not codes.is_region_code(code):
            raise ValidationError(_("A division code has 2, 4, 6, 9 or 12 digits."))
        return code
