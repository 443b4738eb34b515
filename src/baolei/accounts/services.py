"""Accounts: creating users within one's own scope, login lock-out, API tokens."""

import datetime
import secrets
import string

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baolei.accounts.models import ApiToken, LoginThrottle, User
from baolei.accounts.permissions import Perm, Role, assignable_roles
from baolei.accounts.scope import Scope
from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.regions.models import Region
from baolei.transactions import unless_busy


def generate_password(length: int = 16) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def check_can_assign(manager: User, role: str, region: Region | None) -> None:
    """A manager may hand out only roles below their own, and only within their scope."""
    scope = Scope.for_user(manager)
    if not scope.can(Perm.MANAGE_USERS):
        raise PermissionDenied(_("You may not manage users."))
    if role not in assignable_roles(manager.role):
        raise ValidationError({"role": _("You may not assign this role.")})
    if region is None:
        if not scope.is_national:
            raise ValidationError({"scope_region": _("Choose a region within your scope.")})
        if role != Role.SYSTEM_ADMIN:
            raise ValidationError(
                {"scope_region": _("Only system administrators may have no region.")}
            )
    elif not scope.contains(region.code):
        raise ValidationError({"scope_region": _("This region is outside your scope.")})


@transaction.atomic
def do_create_user(
    manager: User,
    *,
    username: str,
    password: str,
    role: str,
    scope_region: Region | None,
    full_name: str = "",
    phone: str = "",
    email: str = "",
) -> User:
    check_can_assign(manager, role, scope_region)
    user = User(
        username=username,
        role=role,
        scope_region=scope_region,
        full_name=full_name,
        phone=phone,
        email=email,
        is_staff=role == Role.SYSTEM_ADMIN,
        is_superuser=role == Role.SYSTEM_ADMIN,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def do_update_user(manager: User, user: User, **fields) -> User:
    check_can_assign(
        manager, fields.get("role", user.role), fields.get("scope_region", user.scope_region)
    )
    if user.pk == manager.pk and fields.get("is_active") is False:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    for name, value in fields.items():
        setattr(user, name, value)
    user.is_staff = user.is_superuser = user.role == Role.SYSTEM_ADMIN
    user.save()
    return user


@transaction.atomic
def do_set_password(manager: User, user: User, password: str) -> None:
    check_can_assign(manager, user.role, user.scope_region)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    LoginThrottle.objects.filter(username=user.username).delete()


# --- lock-out after repeated failed logins -------------------------------------------


def locked_until(username: str) -> datetime.datetime | None:
    throttle = LoginThrottle.objects.filter(username=username.lower()).first()
    if throttle and throttle.locked_until and throttle.locked_until > timezone.now():
        return throttle.locked_until
    return None


@transaction.atomic
def record_failed_login(username: str) -> datetime.datetime | None:
    """Count a failure; returns the lock-out end if this failure reached the limit."""
    throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(
        username=username.lower()
    )
    now = timezone.now()
    if throttle.locked_until and throttle.locked_until <= now:
        throttle.failures = 0  # an expired lock-out starts a fresh count
        throttle.locked_until = None
    throttle.failures += 1
    throttle.last_failure_at = now
    newly_locked = None
    if throttle.failures >= settings.LOGIN_MAX_FAILURES and throttle.locked_until is None:
        throttle.locked_until = now + datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        newly_locked = throttle.locked_until
        user = User.objects.filter(username__iexact=username).first()
        audit.record(
            Action.LOGIN_LOCKED,
            model="accounts.user",
            object_pk=str(user.pk) if user else "",
            object_repr=username[:200],
            region_code=(user.scope_region_id or "") if user else "",
            extra={"failures": throttle.failures, "locked_until": newly_locked.isoformat()},
        )
    throttle.save()
    return newly_locked


def record_successful_login(username: str) -> None:
    LoginThrottle.objects.filter(username=username.lower()).delete()


# --- API tokens -----------------------------------------------------------------------


@transaction.atomic
def do_create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is never stored and cannot be shown again."""
    if not Scope.for_user(user).can(Perm.USE_API):
        raise PermissionDenied(_("Your role may not use the API."))
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[3 : 3 + ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
    )
    return token, key


@transaction.atomic
def do_revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save()


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        # Touch at most every few minutes, and without an audit event per API call;
        # never waiting for a long write elsewhere (SQLite) to answer a read.
        unless_busy(
            lambda: ApiToken.objects.filter(pk=token.pk).update(last_used_at=now),
            "recording the use of an API token",
        )
    return token.user
