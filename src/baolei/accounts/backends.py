"""Password authentication with the lock-out built in, so that every login page (the
site's, the administration site's, any later one) shares one count of failures."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from baolei.accounts import services


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        if services.locked_until(username):
            # Not even the right password opens a locked account, and the password is not
            # checked: a locked name gives nothing to guess against.
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            services.record_failed_login(username)
        else:
            services.record_successful_login(username)
        return user
