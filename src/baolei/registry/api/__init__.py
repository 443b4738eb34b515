"""The register's API under /api/registry/: households, members, incomes and visits
(`households`), the annual lines and the villages' populations (`standards`)."""

from baolei.registry.api import households, standards

router = households.router
router.add_router("", standards.router)
