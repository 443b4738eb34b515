"""The demo accounts of `setup-demo` (without the generators, which their own tests run)."""

import pytest

from baolei.accounts.models import User
from baolei.accounts.permissions import Role
from baolei.demo.management.commands.setup_demo import Command
from baolei.regions.models import Region

pytestmark = pytest.mark.django_db

VILLAGE = "420222100001"  # 兴国镇 山川台社区, the first village of the demo county


def test_the_demo_accounts_include_the_first_villages_branch_and_run_once():
    command = Command()
    assert command._ensure_admin()
    county = Region.objects.get(code="420222")
    made = command._ensure_demo_users(county)
    roles = dict(User.objects.exclude(username="admin").values_list("username", "role"))
    assert roles == {
        "yx_zuzhibu": Role.ORGANISATION_DEPARTMENT,
        "yx_xiangzhen": Role.REVITALISATION_BUREAU,
        "yx_leader": Role.LEADER,
        "town_420222100": Role.TOWNSHIP_OFFICER,
        f"secretary_{VILLAGE}": Role.FIRST_SECRETARY,
        f"branch_{VILLAGE}": Role.VILLAGE_BRANCH,
    }
    branch = User.objects.get(username=f"branch_{VILLAGE}")
    assert branch.scope_region_id == VILLAGE and branch.full_name == "山川台社区党支部"
    password, _what = made[f"branch_{VILLAGE}"]
    assert branch.check_password(password)  # printed once by the report
    assert command._ensure_demo_users(county) == {}
