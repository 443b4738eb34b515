from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's generators and `setup-demo`: an app only so that its commands are found;
    it has no models and sits above every other app."""

    name = "baolei.demo"
