from baolei.accounts.scope import Scope


class ScopeMiddleware:
    """Resolves `request.scope` once per request from the logged-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = Scope.for_user(request.user)
        return self.get_response(request)
