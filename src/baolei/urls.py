from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from baolei.api import api
from baolei.regions import views as region_views

admin.site.site_header = _("Baolei administration")

urlpatterns = [
    path("", region_views.home, name="home"),
    path("regions/", include("baolei.regions.urls")),
    path("accounts/", include("baolei.accounts.urls")),
    path("audit/", include("baolei.audit.urls")),
    path("registry/", include("baolei.registry.urls")),
    path("imports/", include("baolei.imports.urls")),
    path("organisation/", include("baolei.organisation.urls")),
    path("cadres/", include("baolei.cadres.urls")),
    path("talent/", include("baolei.talent.urls")),
    path("dashboard/", include("baolei.dashboard.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
