"""The register's domain logic, a module per sub-domain. Other apps use the one record
of a person and the one rule for showing ID numbers, exported here."""

from baolei.registry.services.people import (
    RegistryError,
    check_not_future,
    clean_model,
    person_for,
    shown_id_number,
    unknown_fields,
)

__all__ = [
    "RegistryError",
    "check_not_future",
    "clean_model",
    "person_for",
    "shown_id_number",
    "unknown_fields",
]
