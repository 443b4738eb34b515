from ninja import Router

router = Router(tags=["organisation"])

from baolei.organisation.api_grading import router as grading_router  # noqa: E402

router.add_router("", grading_router)
