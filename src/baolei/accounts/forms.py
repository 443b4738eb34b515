from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts import services
from baolei.accounts.models import User
from baolei.accounts.permissions import Role, assignable_roles
from baolei.accounts.scope import Scope
from baolei.forms import BulmaFormMixin
from baolei.regions.models import Region


class LoginForm(AuthenticationForm):
    """Django's login form, saying when an account name is locked out."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed logins. This account is locked until %(until)s; "
            "try again later or ask an administrator."
        ),
    }

    def clean(self):
        # The failures are counted by the authentication backend (LockoutBackend), which
        # every login page goes through; this form only says why a login was refused.
        username = self.cleaned_data.get("username") or ""
        until = services.locked_until(username) if username else None
        if until:
            raise self._locked_error(until)
        try:
            return super().clean()
        except ValidationError:
            until = services.locked_until(username) if username else None
            if until:
                raise self._locked_error(until) from None
            raise

    def _locked_error(self, until):
        local = timezone.localtime(until)
        return ValidationError(
            self.error_messages["locked"], code="locked", params={"until": f"{local:%H:%M}"}
        )


class RegionCodeField(forms.CharField):
    """A region typed or picked by code; must exist and lie within the manager's scope."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 12)
        super().__init__(*args, **kwargs)
        self.scope: Scope | None = None

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        region = Region.objects.filter(code=code.strip()).first()
        if region is None:
            raise ValidationError(_("No region has the code %(code)s."), params={"code": code})
        if self.scope is not None and not self.scope.contains(region.code):
            raise ValidationError(_("This region is outside your scope."))
        return region


class UserFormMixin:
    def setup_scope(self, manager: User) -> None:
        self.manager = manager
        self.fields["role"].choices = [
            (role.value, role.label) for role in assignable_roles(manager.role)
        ]
        self.fields["scope_region"].scope = Scope.for_user(manager)

    def clean(self):
        cleaned = super().clean()
        role, region = cleaned.get("role"), cleaned.get("scope_region")
        if (
            role
            and role != Role.SYSTEM_ADMIN
            and region is None
            and "scope_region" not in self.errors
        ):
            self.add_error("scope_region", _("Choose the region this user works in."))
        return cleaned


class UserCreateForm(BulmaFormMixin, UserFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("Login name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=64)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    role = forms.ChoiceField(label=_("Role"))
    scope_region = RegionCodeField(
        label=_("Scope region (code)"),
        required=False,
        help_text=_("The user sees and changes this region and everything below it."),
    )
    password1 = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Initial password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, manager: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_scope(manager)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This login name is taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = User(
                username=cleaned.get("username", ""), full_name=cleaned.get("full_name", "")
            )
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class UserEditForm(BulmaFormMixin, UserFormMixin, forms.ModelForm):
    scope_region = RegionCodeField(label=_("Scope region (code)"), required=False)

    class Meta:
        model = User
        fields = ["full_name", "phone", "email", "role", "scope_region", "is_active"]

    def __init__(self, *args, manager: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["scope_region"] = self.instance.scope_region_id or ""
        self.setup_scope(manager)


class BulmaPasswordChangeForm(BulmaFormMixin, PasswordChangeForm):
    pass


class TokenForm(BulmaFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=64,
        help_text=_("What the token is for, e.g. the county data exchange."),
    )
