"""The register's import sheets. Other apps' sheets reuse its ID-number column and
village drop-down."""

from baolei.registry.sheets.cells import id_number_column, village_options

__all__ = ["id_number_column", "village_options"]
