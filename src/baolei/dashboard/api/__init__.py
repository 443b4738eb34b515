"""The command centre's API: one router, each module adding its operations."""

from ninja import Router

router = Router(tags=["dashboard"])

from baolei.dashboard.api import effectiveness, figures  # noqa: E402

router.add_router("", figures.router)
router.add_router("", effectiveness.router)
