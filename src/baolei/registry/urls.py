from django.urls import include, path

app_name = "registry"
urlpatterns: list = [
    # Procedures, monitoring and the exit checks: baolei.registry.urls_outcomes.
    path("", include("baolei.registry.urls_outcomes")),
]
