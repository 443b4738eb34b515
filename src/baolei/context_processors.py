from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm

# The capabilities that exist, in menu order: (url name, label, permission needed).
NAVIGATION = [
    ("home", _("Overview"), Perm.VIEW),
    ("regions:browse", _("Regions"), Perm.VIEW),
    ("registry:household_list", _("Households"), Perm.VIEW),
    ("registry:monitoring_candidates", _("Monitoring"), Perm.VIEW),
    ("registry:visits_overdue", _("Visits"), Perm.VIEW),
    ("organisation:index", _("Party organisation"), Perm.VIEW),
    ("cadres:index", _("Cadres"), Perm.VIEW),
    ("talent:index", _("Talent"), Perm.VIEW),
    ("imports:job_list", _("Imports"), Perm.EDIT_REGISTRY),
    ("audit:event_list", _("Audit trail"), Perm.VIEW_AUDIT),
    ("accounts:user_list", _("Users"), Perm.MANAGE_USERS),
    ("regions:reload", _("Division codes"), Perm.MANAGE_REFERENCE_DATA),
]


def navigation(request):
    scope = getattr(request, "scope", None)
    if scope is None or scope.empty:
        return {"navigation": []}
    return {"navigation": [(url, label) for url, label, perm in NAVIGATION if scope.can(perm)]}
