"""Scope checks of the talent pages and API (see tests/test_every_endpoint_is_scoped.py):
every URL name and API operation of the app is listed here and tried by the
organisation department of 大冶市 against objects of 兴国镇."""

from tests.scoping import status


def things(insider) -> dict:
    return {}


def page_checks(things: dict) -> list:
    return [
        ("talent:index", "get", "/talent/", status(200)),
    ]


def api_checks(things: dict) -> list:
    return []
