"""Scope checks of the grading part of organisation (see tests/test_every_endpoint_is_scoped.py)."""


def things(insider) -> dict:
    return {}


def page_checks(things: dict) -> list:
    return []


def api_checks(things: dict) -> list:
    return []
