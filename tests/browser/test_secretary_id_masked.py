"""A township officer, who may not see full ID numbers, edits a branch in a real browser
against `baolei serve`: the form shows the secretary's ID number masked, as the detail
page does, and saving the form unchanged but for the founding date keeps the secretary
and their full number."""

import pytest
from playwright.sync_api import expect

from baolei import idnumbers
from tests.registry.factories import id_number

pytestmark = pytest.mark.browser

OFFICER = ("xingguo_mask_check", "Fen-Shui-Lake-47-qz")
SECRETARY_ID = id_number(417)

SEED = """
import django
django.setup()
from baolei.accounts import services
from baolei.accounts.models import User
from baolei.accounts.permissions import Role
from baolei.organisation.models import PartyOrganisation
from baolei.regions.models import Region
from baolei.registry.models import Person

admin = User.objects.get(username="browser_admin")
services.do_create_user(
    admin,
    username={username!r},
    password={password!r},
    role=Role.TOWNSHIP_OFFICER,
    scope_region=Region.objects.get(code="420222100"),
    full_name="兴国镇组织干事",
)
secretary = Person.objects.create(
    id_number={number!r}, name="柯书记", sex="male", birth_date="1980-01-01",
    region_code="420222100003",
)
branch = PartyOrganisation.objects.create(
    kind="branch", name="掩码检查村党支部", region_code="420222100003", secretary=secretary
)
print(branch.pk)
"""

STORED = """
import django
django.setup()
from baolei.organisation.models import PartyOrganisation

branch = PartyOrganisation.objects.select_related("secretary").get(pk={pk})
print(branch.secretary.id_number, branch.founded_on)
"""


def test_the_edit_form_masks_the_secretary_and_keeps_the_number(site, page, login):
    pk = int(
        site.run_python(
            SEED.format(username=OFFICER[0], password=OFFICER[1], number=SECRETARY_ID)
        ).split()[-1]
    )
    login(page, *OFFICER)
    page.goto(site(f"/organisation/organisations/{pk}/"))
    page.goto(site(f"/organisation/organisations/{pk}/edit/"))
    field = page.locator("#id_secretary_id_number")
    expect(field).to_have_value(idnumbers.mask(SECRETARY_ID))
    assert SECRETARY_ID not in page.content()

    page.fill("#id_founded_on", "2001-07-01")
    page.click("[data-testid=organisation-form] button[type=submit]")
    expect(page).to_have_url(site(f"/organisation/organisations/{pk}/"))

    assert site.run_python(STORED.format(pk=pk)).split() == [SECRETARY_ID, "2001-07-01"]
