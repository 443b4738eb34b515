from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from baolei.accounts.permissions import Perm


def require_perm(perm: Perm):
    """A view declares the permission it needs; scope is applied inside the view."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.scope.can(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm
        return wrapped

    return decorator
