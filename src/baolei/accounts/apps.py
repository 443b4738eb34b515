from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "baolei.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from baolei.accounts.models import ApiToken, User
        from baolei.audit import services as audit

        audit.register(User, exclude={"password"}, ignore={"last_login", "date_joined"})
        audit.register(ApiToken, exclude={"key_hash"})
