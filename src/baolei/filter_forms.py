"""What the apps' filter forms share: the “Any” choice that leaves a filter open, the
search box, and a region code checked against the viewer's scope."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope
from baolei.regions import codes
from baolei.regions.models import Region


def any_choice(enumeration) -> list[tuple[str, str]]:
    return [("", _("Any")), *enumeration.choices]


def search_field() -> forms.CharField:
    """A person's name or ID number (a new field each time: a form class owns its fields)."""
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or ID number")}),
    )


def region_in_scope(scope: Scope, code: str | None) -> str:
    """The region code typed ("" for none), refused unless it exists and lies within the
    scope."""
    code = (code or "").strip()
    if not code:
        return ""
    if not codes.is_region_code(code) or not Region.objects.filter(code=code).exists():
        raise ValidationError(
            _("There is no region with the code %(code)s."), params={"code": code}
        )
    if not scope.contains(code):
        raise ValidationError(_("This region is outside your scope."))
    return code


class RegionFilterMixin:
    """A form's `region` filter, checked against the form's `scope`."""

    def clean_region(self) -> str:
        return region_in_scope(self.scope, self.cleaned_data.get("region"))
