from baolei.audit import context


class AuditContextMiddleware:
    """Every change made during a web request is attributed to the logged-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = context.actor_for_user(request.user, "web")
        with context.acting_as(actor):
            return self.get_response(request)
