"""factory-boy factories for the models the tests create.

Regions are not made here: the session loads the real NBS rows for 阳新县 (420222) and
大冶市 (420281) once, and tests refer to them by code.
"""

import factory
from factory.django import DjangoModelFactory

from baolei.accounts import services
from baolei.accounts.models import ApiToken, User
from baolei.accounts.permissions import Role
from baolei.audit.models import Action, AuditEvent, Channel
from baolei.regions.models import Region

PASSWORD = "Kv7-tong-lu-river-93"  # passes every configured password validator


class UserFactory(DjangoModelFactory):
    """A user; pass `scope="420222100"` (a code) or `scope=None` for no region."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        scope = "420222100"

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.TOWNSHIP_OFFICER
    scope_region = factory.LazyAttribute(
        lambda o: Region.objects.get(code=o.scope) if o.scope else None
    )
    is_staff = factory.LazyAttribute(lambda o: o.role == Role.SYSTEM_ADMIN)
    is_superuser = factory.LazyAttribute(lambda o: o.role == Role.SYSTEM_ADMIN)
    password = factory.django.Password(PASSWORD)


class ApiTokenFactory(DjangoModelFactory):
    """A token made the way the token page makes it; the plain key is on `token.key`."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"token {n}")

    @classmethod
    def _create(cls, model_class, user, name, **kwargs):
        token, key = services.do_create_token(user, name)
        token.key = key
        return token


class AuditEventFactory(DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor_name = "factory"
    channel = Channel.SYSTEM
    action = Action.EXPORT
    model = "regions.region"
    object_pk = "420222100"
    object_repr = "兴国镇 (420222100)"
    region_code = "420222100"
    extra = factory.LazyFunction(lambda: {"rows": 28})
