"""The one scoping mechanism: a user sees and changes only their region and below.

Every page, export and API handler reaches records through `scoped()` or `get_in_scope()`.
A model says which field carries its region code (`scope_field`); a model without one
cannot be scoped and `scoped()` refuses it rather than return everything.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from baolei.accounts.permissions import Perm, Role, has_perm
from baolei.regions import codes


@dataclass(frozen=True)
class Scope:
    """Resolved once per request: the role and the region code the user is confined to.

    `region_code` None means the whole country; `empty` means nothing at all (an account
    without a scope region that is not a national system administrator).
    """

    role: str
    region_code: str | None
    empty: bool = False

    @classmethod
    def for_user(cls, user) -> "Scope":
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(role="", region_code=None, empty=True)
        if user.scope_region_id is None:
            national = user.role == Role.SYSTEM_ADMIN
            return cls(role=user.role, region_code=None, empty=not national)
        return cls(role=user.role, region_code=user.scope_region_id)

    @property
    def is_national(self) -> bool:
        return not self.empty and self.region_code is None

    def can(self, perm: Perm) -> bool:
        return not self.empty and has_perm(self.role, perm)

    def contains(self, code: str | None) -> bool:
        if self.empty or code is None:
            return False
        return self.region_code is None or codes.contains(self.region_code, code)

    def q(self, field: str) -> Q:
        if self.empty:
            return Q(pk__in=[])
        if self.region_code is None:
            return Q()
        return codes.within(field, self.region_code)

    def filter(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(self.q(scope_field_of(queryset.model)))


def scope_field_of(model: type[Model]) -> str:
    field = getattr(model, "scope_field", None)
    if not field:
        raise ImproperlyConfigured(f"{model.__name__} has no scope_field and cannot be scoped")
    return field


def scope_of(user_or_scope) -> Scope:
    if isinstance(user_or_scope, Scope):
        return user_or_scope
    return Scope.for_user(user_or_scope)


def scoped(queryset: QuerySet, user_or_scope) -> QuerySet:
    """The part of `queryset` that lies in the user's region or below."""
    return scope_of(user_or_scope).filter(queryset)


def get_in_scope(queryset: QuerySet, user_or_scope, **lookup) -> Model:
    """One object in scope, or 404 — the same answer whether it is missing or outside.

    Telling the two apart would let a user probe for other regions' records.
    """
    try:
        return scoped(queryset, user_or_scope).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as error:
        raise Http404 from error
