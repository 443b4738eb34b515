"""The register's forms. Other apps' forms reuse its date input and scoped-form mixin."""

from baolei.registry.forms.households import DateInput, ScopedFormMixin

__all__ = ["DateInput", "ScopedFormMixin"]
