from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope


def _may(perm: Perm) -> Callable[[Scope], bool]:
    return lambda scope: scope.can(perm)


def _may_import(scope: Scope) -> bool:
    # Each sheet asks for its own permission: the organisation department imports party
    # members, the bureau households; the menu shows Imports to whoever has any sheet.
    from baolei.imports import pipeline

    return bool(pipeline.sheets_for(scope))


# The capabilities in menu order: (group label or None for a top-level link, entries of
# (url name, label, who may see it)). A group with one visible entry is shown as a link.
NAVIGATION = [
    (None, [("home", _("Overview"), _may(Perm.VIEW))]),
    (None, [("dashboard:home", _("Command centre"), _may(Perm.VIEW))]),
    (None, [("regions:browse", _("Regions"), _may(Perm.VIEW))]),
    (
        _("Register"),
        [
            ("registry:household_list", _("Households"), _may(Perm.VIEW)),
            ("registry:monitoring_candidates", _("Monitoring"), _may(Perm.VIEW)),
            ("registry:visits_overdue", _("Visits"), _may(Perm.VIEW)),
        ],
    ),
    (None, [("organisation:index", _("Party organisation"), _may(Perm.VIEW))]),
    (None, [("cadres:index", _("Cadres"), _may(Perm.VIEW))]),
    (None, [("talent:index", _("Talent"), _may(Perm.VIEW))]),
    (
        _("Administration"),
        [
            ("imports:job_list", _("Imports"), _may_import),
            ("audit:event_list", _("Audit trail"), _may(Perm.VIEW_AUDIT)),
            ("accounts:user_list", _("Users"), _may(Perm.MANAGE_USERS)),
            ("regions:reload", _("Division codes"), _may(Perm.MANAGE_REFERENCE_DATA)),
            ("dashboard:boundaries", _("Boundary maps"), _may(Perm.MANAGE_REFERENCE_DATA)),
        ],
    ),
]


def navigation(request):
    """`navigation`: a list of (group label or None, [(url name, label)]) for the menu;
    `may`: the permissions the viewer holds in their scope, so that a template shows a
    link only to whoever may follow it (`{% if "view_discipline" in may %}`)."""
    scope = getattr(request, "scope", None)
    if scope is None or scope.empty:
        return {"navigation": [], "may": frozenset()}
    menu = []
    for group, entries in NAVIGATION:
        visible = [(url, label) for url, label, allowed in entries if allowed(scope)]
        if visible:
            menu.append((group if len(visible) > 1 else None, visible))
    return {"navigation": menu, "may": frozenset(perm.value for perm in Perm if scope.can(perm))}
