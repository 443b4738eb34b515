"""The HTTP API under /api/: personal bearer tokens or the browser session, scoped like
the pages. Each capability adds its own router from its app's `api.py`."""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.security import APIKeyCookie, HttpBearer

from baolei.accounts import services as account_services
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope
from baolei.audit import context


def _attach(request: HttpRequest, user, channel: str):
    scope = Scope.for_user(user)
    if not scope.can(Perm.USE_API) and channel == "api":
        # Refuse before touching the request: SessionAuth, tried next, must not find
        # the token's user there and let the token in as if it were a session.
        return None
    request.user = user
    request.scope = scope
    context.set_actor(context.actor_for_user(user, channel))
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = account_services.user_for_token(token)
        return _attach(request, user, "api") if user else None


class SessionAuth(APIKeyCookie):
    """The logged-in browser (HTMX, charts); CSRF-checked like any form post."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return _attach(request, user, "web")
        return None


class SiteSwagger(Swagger):
    """Swagger UI from the site's own static files (copied from the npm package
    swagger-ui-dist by `make assets`): an intranet reaches nothing outside. django-ninja
    would load it from a public CDN, as `ninja` is not an installed app."""

    template = "api/swagger.html"

    def __init__(self):
        # No validator badge: it would send the document's address to validator.swagger.io.
        super().__init__(settings={"validatorUrl": None})

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "swagger_settings": json.dumps(settings),
            "api": api,
            "add_csrf": any(getattr(auth, "csrf", False) for auth in api.auth),
        }
        return render(request, self.template, context)


api = NinjaAPI(
    title="Baolei API",
    version="1",
    description=(
        "Scoped API of the Baolei platform. Authenticate with `Authorization: Bearer <token>`."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs=SiteSwagger(),
)

from baolei.accounts.api import router as accounts_router  # noqa: E402
from baolei.cadres.api import router as cadres_router  # noqa: E402
from baolei.dashboard.api import router as dashboard_router  # noqa: E402
from baolei.imports.api import router as imports_router  # noqa: E402
from baolei.organisation.api import router as organisation_router  # noqa: E402
from baolei.regions.api import router as regions_router  # noqa: E402
from baolei.registry.api import router as registry_router  # noqa: E402
from baolei.talent.api import router as talent_router  # noqa: E402

api.add_router("/regions/", regions_router)
api.add_router("/me/", accounts_router)
api.add_router("/registry/", registry_router)
api.add_router("/imports/", imports_router)
api.add_router("/organisation/", organisation_router)
api.add_router("/cadres/", cadres_router)
api.add_router("/talent/", talent_router)
api.add_router("/dashboard/", dashboard_router)
