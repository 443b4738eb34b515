"""Roles and what each may do: the permission matrix, in one place.

`docs/permissions.md` documents this table and a test keeps the two the same.
Scope is separate: every permission applies only within the user's scope region.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    ORGANISATION_DEPARTMENT = "organisation_department", _("County organisation department")
    REVITALISATION_BUREAU = "revitalisation_bureau", _("Rural revitalisation bureau")
    TOWNSHIP_OFFICER = "township_officer", _("Township officer")
    FIRST_SECRETARY = "first_secretary", _("Village first secretary / work team")
    VILLAGE_BRANCH = "village_branch", _("Village branch")
    LEADER = "leader", _("Leader (read-only)")


class Perm(StrEnum):
    VIEW = "view"  # see the regions and records in scope
    MANAGE_USERS = "manage_users"  # create users and set their role and scope
    VIEW_AUDIT = "view_audit"  # read the audit trail of the scope
    EDIT_ORGANISATION = "edit_organisation"  # party organisations, cadres, talent
    EDIT_REGISTRY = "edit_registry"  # households, monitoring, funds
    RECORD_VISITS = "record_visits"  # visits and assistance from the village
    SEE_PERSONAL_DATA = "see_personal_data"  # unmasked ID numbers and health data
    USE_API = "use_api"  # personal API tokens
    MANAGE_REFERENCE_DATA = "manage_reference_data"  # reload the division codes
    VIEW_DISCIPLINE = "view_discipline"  # cadres' disciplinary records
    # The branch's own work, done in the village (often on a phone by the first secretary):
    # organisation life and rectification progress. Grading and closing are not part of it.
    RECORD_BRANCH_WORK = "record_branch_work"
    # Cadre records and the work teams sent to villages (members, rotation, recall, duties,
    # work funds, matching, incentives, the village leader pool): the county's work, and the
    # township's for its villages. Never the village's own accounts: a team is not managed
    # by the village it serves.
    MANAGE_CADRES = "manage_cadres"


PERM_LABELS = {
    Perm.VIEW: _("View regions and records in scope"),
    Perm.MANAGE_USERS: _("Create users and assign role and scope"),
    Perm.VIEW_AUDIT: _("Read the audit trail"),
    Perm.EDIT_ORGANISATION: _("Edit party organisations, cadres and talent"),
    Perm.EDIT_REGISTRY: _("Edit the household registry and funds"),
    Perm.RECORD_VISITS: _("Record visits and assistance"),
    Perm.SEE_PERSONAL_DATA: _("See unmasked personal data"),
    Perm.USE_API: _("Use personal API tokens"),
    Perm.MANAGE_REFERENCE_DATA: _("Reload the division codes"),
    Perm.VIEW_DISCIPLINE: _("See cadres' disciplinary records"),
    Perm.RECORD_BRANCH_WORK: _("Record the branch's organisation life and rectification progress"),
    Perm.MANAGE_CADRES: _("Manage cadre records and work teams"),
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.SYSTEM_ADMIN: frozenset(Perm),
    Role.ORGANISATION_DEPARTMENT: frozenset(
        {
            Perm.VIEW,
            Perm.MANAGE_USERS,
            Perm.VIEW_AUDIT,
            Perm.EDIT_ORGANISATION,
            Perm.SEE_PERSONAL_DATA,
            Perm.USE_API,
            Perm.VIEW_DISCIPLINE,
            Perm.RECORD_BRANCH_WORK,
            Perm.MANAGE_CADRES,
        }
    ),
    Role.REVITALISATION_BUREAU: frozenset(
        {
            Perm.VIEW,
            Perm.VIEW_AUDIT,
            Perm.EDIT_REGISTRY,
            Perm.RECORD_VISITS,
            Perm.SEE_PERSONAL_DATA,
            Perm.USE_API,
        }
    ),
    Role.TOWNSHIP_OFFICER: frozenset(
        {
            Perm.VIEW,
            Perm.VIEW_AUDIT,
            Perm.EDIT_ORGANISATION,
            Perm.EDIT_REGISTRY,
            Perm.RECORD_VISITS,
            Perm.USE_API,
            Perm.RECORD_BRANCH_WORK,
            Perm.MANAGE_CADRES,
        }
    ),
    Role.FIRST_SECRETARY: frozenset(
        {Perm.VIEW, Perm.RECORD_VISITS, Perm.USE_API, Perm.RECORD_BRANCH_WORK}
    ),
    Role.VILLAGE_BRANCH: frozenset(
        {Perm.VIEW, Perm.EDIT_ORGANISATION, Perm.RECORD_VISITS, Perm.RECORD_BRANCH_WORK}
    ),
    Role.LEADER: frozenset({Perm.VIEW, Perm.VIEW_AUDIT, Perm.USE_API}),
}


def has_perm(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(Role(role), frozenset()) if role else False


def assignable_roles(manager_role: str) -> list[Role]:
    """Roles a user manager may hand out: never more power than their own."""
    if manager_role == Role.SYSTEM_ADMIN:
        return list(Role)
    if has_perm(manager_role, Perm.MANAGE_USERS):
        return [role for role in Role if role != Role.SYSTEM_ADMIN]
    return []
