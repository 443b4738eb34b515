"""The party organisation's domain logic, a module per sub-domain. Other apps ask
which villages have a weak branch."""

from baolei.organisation.services.grading import weak_village_codes

__all__ = ["weak_village_codes"]
