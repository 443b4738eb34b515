from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """What a place has and how it stands, read from every other app: above them all, so
    that none of them depends on it."""

    name = "baolei.dashboard"
