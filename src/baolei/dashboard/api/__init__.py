"""The command centre's API: one router, each module adding its operations."""

from ninja import Router

router = Router(tags=["dashboard"])
