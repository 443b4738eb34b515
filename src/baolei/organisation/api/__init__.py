"""The organisation API under /api/organisation/: organisations, host entities and
coverage (`organisations`), party members and the two committees (`members`), grading,
weak branches and organisation life (`grading`)."""

from baolei.organisation.api import grading, members, organisations

router = organisations.router
router.add_router("", members.router)
router.add_router("", grading.router)
