"""The dashboard's one form: uploading the boundary map of a region's children."""

from django import forms
from django.utils.translation import gettext_lazy as _


class BoundaryForm(forms.Form):
    region = forms.CharField(
        label=_("Region code"),
        max_length=12,
        required=False,
        help_text=_("The region whose children the file outlines; empty for the provinces."),
    )
    approval_number = forms.CharField(
        label=_("Map approval number (审图号)"), max_length=60, required=False
    )
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_(
            "A FeatureCollection whose features each carry the division code of one child "
            "in a “code” property."
        ),
    )
