"""The organisation's rules, whichever door the data comes in by: organisations and their
status history, host entities, members, transfers and household links."""

import datetime

import pytest
from django.utils import timezone

from baolei.accounts.permissions import Role
from baolei.audit.models import AuditEvent
from baolei.organisation.choices import HostKind, OrganisationKind, OrganisationStatus
from baolei.organisation.models import MemberTransfer, PartyMember, PartyOrganisation
from baolei.organisation.services import members as services_members
from baolei.organisation.services import organisations as services
from baolei.registry.models import Person
from tests.factories import UserFactory
from tests.organisation.factories import (
    HostEntityFactory,
    PartyMemberFactory,
    PartyOrganisationFactory,
)
from tests.registry.factories import HouseholdFactory, PersonFactory, id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VILLAGE = "420222100001"
D = datetime.date


def refused(call, *args, **kwargs) -> services.OrganisationError:
    with pytest.raises(services.OrganisationError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- credit codes ------------------------------------------------------------------------


def test_a_real_credit_code_passes_and_a_mistyped_one_is_refused():
    # 91110000100000000?: by GB 32100 the weighted sum is 9×1 + 1×3 + 1×9 + 1×27 + 1×20
    # = 68; 68 mod 31 = 6; 31 − 6 = 25, the 26th character of 0-9A-HJ-NP-RTUWXY: "R".
    assert services.credit_check_character("91110000100000000") == "R"
    assert services.validate_credit_code("91110000100000000 r") == "91110000100000000R"
    assert services.validate_credit_code("9144030071526726XG")  # a real company's code
    assert refused(services.validate_credit_code, "91110000100000000Q").code == "credit_code_check"
    assert refused(services.validate_credit_code, "9111000010000000").code == "credit_code_length"
    assert refused(services.validate_credit_code, "91110000100000000I").code == (
        "credit_code_characters"
    )


# --- organisations -----------------------------------------------------------------------


def test_an_organisation_is_made_with_its_secretary_on_the_one_person_record(insider):
    committee = PartyOrganisationFactory(
        kind=OrganisationKind.COMMITTEE, name="中共兴国镇委员会", region_code="420222100"
    )
    number = id_number(7, D(1975, 3, 2))
    organisation = services.do_create_organisation(
        insider,
        kind=OrganisationKind.BRANCH,
        name="中共山川台社区支部委员会",
        region_code=VILLAGE,
        parent=committee,
        secretary_id_number=number,
        secretary_name="柯建华",
        founded_on=D(1990, 7, 1),
    )

    assert organisation.status == OrganisationStatus.ACTIVE
    assert organisation.secretary == Person.objects.get(id_number=number)
    assert AuditEvent.objects.filter(model="organisation.partyorganisation").exists()


def test_an_organisation_outside_the_scope_or_under_a_branch_is_refused(insider):
    assert (
        refused(
            services.do_create_organisation,
            insider,
            kind="branch",
            name="富池党支部",
            region_code="420222101001",
        ).field
        == "region_code"
    )
    branch = PartyOrganisationFactory()
    error = refused(
        services.do_create_organisation,
        insider,
        kind="branch",
        name="第二支部",
        region_code=VILLAGE,
        parent=branch,
    )
    assert (error.code, error.field) == ("parent_kind", "parent")


def test_the_same_name_twice_in_a_region_is_refused(insider):
    PartyOrganisationFactory(name="中共山川台社区支部委员会")
    error = refused(
        services.do_create_organisation,
        insider,
        kind="branch",
        name="中共山川台社区支部委员会",
        region_code=VILLAGE,
    )
    assert error.code == "duplicate_name"


def test_only_a_joint_branch_covers_entities_and_only_in_its_region(insider):
    entity = HostEntityFactory()
    outside = HostEntityFactory(region_code="420222101001")
    assert (
        refused(
            services.do_create_organisation,
            insider,
            kind="branch",
            name="支部",
            region_code=VILLAGE,
            covered_entities=[entity],
        ).code
        == "not_joint"
    )
    assert (
        refused(
            services.do_create_organisation,
            None,
            kind="joint_branch",
            name="联合支部",
            region_code="420222100",
            covered_entities=[entity, outside],
        ).code
        == "entity_region"
    )


def test_a_loop_of_higher_organisations_is_refused(insider):
    top = PartyOrganisationFactory(kind="committee", region_code="420222100", name="镇党委")
    middle = PartyOrganisationFactory(kind="general_branch", parent=top, name="总支")
    error = refused(services.do_update_organisation, insider, top, parent=middle)
    assert error.code in ("parent_loop", "parent_region")


def test_merging_moves_the_members_and_keeps_the_history(insider):
    today = timezone.localdate()
    old = PartyOrganisationFactory(name="老支部")
    new = PartyOrganisationFactory(name="新支部")
    first, second = PartyMemberFactory(branch=old), PartyMemberFactory(branch=old)

    change = services.do_change_status(
        insider, old, to_status="merged", changed_on=today, reason="两村合并", merged_into=new
    )

    old.refresh_from_db()
    assert old.status == OrganisationStatus.MERGED
    assert (change.from_status, change.to_status, change.merged_into) == ("active", "merged", new)
    assert change.decided_by == insider.full_name
    assert set(new.members.all()) == {first, second}
    assert MemberTransfer.objects.filter(from_branch=old, to_branch=new).count() == 2


def test_dissolving_with_members_is_refused_and_reviving_is_recorded(insider):
    today = timezone.localdate()
    organisation = PartyOrganisationFactory()
    member = PartyMemberFactory(branch=organisation)
    error = refused(
        services.do_change_status,
        insider,
        organisation,
        to_status="dissolved",
        changed_on=today,
        reason="x",
    )
    assert error.code == "has_members"
    member.delete()

    services.do_change_status(
        insider, organisation, to_status="dissolved", changed_on=today, reason="撤销"
    )
    services.do_change_status(
        insider, organisation, to_status="active", changed_on=today, reason="恢复"
    )

    history = list(organisation.status_changes.values_list("from_status", "to_status"))
    assert history == [("active", "dissolved"), ("dissolved", "active")]
    assert (
        refused(
            services.do_change_status,
            insider,
            organisation,
            to_status="merged",
            changed_on=today,
            reason="x",
        ).field
        == "merged_into"
    )


# --- host entities -----------------------------------------------------------------------


def test_a_cooperative_needs_a_valid_unique_credit_code(insider):
    fields = {"kind": HostKind.COOPERATIVE, "name": "山川台茶叶专业合作社", "region_code": VILLAGE}
    assert refused(services.do_create_host_entity, insider, **fields).field == (
        "registration_number"
    )
    entity = services.do_create_host_entity(
        insider, registration_number="91110000100000000R", size=30, **fields
    )
    assert entity.registration_number == "91110000100000000R"
    again = refused(
        services.do_create_host_entity,
        insider,
        registration_number="91110000100000000R",
        **fields,
    )
    assert again.code == "duplicate_registration"


def test_a_chain_project_lives_in_the_lowest_region_holding_its_villages(insider, county_admin):
    in_one_township = services.do_create_host_entity(
        insider,
        kind=HostKind.CHAIN_PROJECT,
        name="虾稻共作产业链",
        villages=["420222100001", "420222100002", "420222100003"],
    )
    across = services.do_create_host_entity(
        county_admin,
        kind=HostKind.CHAIN_PROJECT,
        name="油茶产业链",
        villages=["420222100001", "420222101001"],
    )

    assert in_one_township.region_code == "420222100"
    assert across.region_code == "420222"
    assert sorted(in_one_township.villages.values_list("region_code", flat=True)) == [
        "420222100001",
        "420222100002",
        "420222100003",
    ]
    error = refused(
        services.do_create_host_entity,
        insider,
        kind=HostKind.CHAIN_PROJECT,
        name="越界",
        villages=["420222100001", "420222101001"],
    )
    assert error.code == "out_of_scope"


# --- members -------------------------------------------------------------------------------


def test_a_member_is_made_on_the_registry_person_and_only_once(insider):
    branch = PartyOrganisationFactory()
    person = PersonFactory(name="柯秀英", id_number=id_number(3, D(1970, 5, 5), male=False))

    member = services_members.do_create_member(
        insider, id_number=person.id_number, name="柯秀英", branch=branch, joined_on=D(1995, 7, 1)
    )

    assert member.person == person
    again = refused(
        services_members.do_create_member,
        insider,
        id_number=person.id_number,
        name="柯秀英",
        branch=PartyOrganisationFactory(),
        joined_on=D(1995, 7, 1),
    )
    assert again.code == "already_member"
    wrong_name = refused(
        services_members.do_create_member,
        insider,
        id_number=id_number(3, D(1970, 5, 5), male=False),
        name="柯秀兰",
        branch=branch,
        joined_on=D(1995, 7, 1),
    )
    assert wrong_name.field == "name"


def test_a_member_joins_at_eighteen_or_older(insider):
    error = refused(
        services_members.do_create_member,
        insider,
        id_number=id_number(4, D(1980, 6, 1)),
        name="王明",
        branch=PartyOrganisationFactory(),
        joined_on=D(1998, 5, 31),  # 17 years and 364 days old
    )
    assert (error.code, error.field) == ("too_young", "joined_on")
    member = services_members.do_create_member(
        insider,
        id_number=id_number(4, D(1980, 6, 1)),
        name="王明",
        branch=PartyOrganisationFactory(),
        joined_on=D(1998, 6, 1),
    )
    assert member.pk


def test_transfers_make_a_history_in_order(insider):
    first = PartyOrganisationFactory(name="一支部")
    second = PartyOrganisationFactory(name="二支部")
    third = PartyOrganisationFactory(name="三支部", region_code="420222100002")
    member = PartyMemberFactory(branch=first, joined_on=D(2000, 7, 1))

    services_members.do_transfer_member(insider, member, second, D(2010, 3, 1), "工作调动")
    services_members.do_transfer_member(insider, member, third, D(2020, 9, 1), "迁居")

    member.refresh_from_db()
    assert member.branch == third
    history = list(
        member.transfers.order_by("transferred_on").values_list(
            "from_branch__name", "to_branch__name", "transferred_on", "reason", "recorded_by"
        )
    )
    assert history == [
        ("一支部", "二支部", D(2010, 3, 1), "工作调动", insider.full_name),
        ("二支部", "三支部", D(2020, 9, 1), "迁居", insider.full_name),
    ]
    earlier = refused(
        services_members.do_transfer_member, insider, member, first, D(2015, 1, 1), "回迁"
    )
    assert earlier.code == "before_last"


def test_a_transfer_to_a_branch_outside_the_scope_or_inactive_is_refused(insider):
    member = PartyMemberFactory()
    outside = PartyOrganisationFactory(region_code="420222101001")
    dissolved = PartyOrganisationFactory(status=OrganisationStatus.DISSOLVED)
    today = timezone.localdate()
    assert refused(
        services_members.do_transfer_member, insider, member, outside, today, "x"
    ).code == ("out_of_scope")
    assert refused(
        services_members.do_transfer_member, insider, member, dissolved, today, "x"
    ).code == ("branch_inactive")
    assert PartyMember.objects.get(pk=member.pk).branch_id == member.branch_id


def test_a_household_is_linked_once_at_a_time(insider):
    member = PartyMemberFactory()
    household = HouseholdFactory()
    link = services_members.do_link_household(insider, member, household, D(2023, 1, 1))
    again = refused(services_members.do_link_household, insider, member, household, D(2023, 2, 1))
    assert again.code == "already_linked"

    services_members.do_end_link(insider, link, D(2024, 1, 1))
    renewed = services_members.do_link_household(insider, member, household, D(2024, 2, 1))
    assert renewed.pk != link.pk


def test_a_township_officer_cannot_link_a_household_of_another_township(insider):
    member = PartyMemberFactory()
    household = HouseholdFactory(number="420222101001000009", village_id="420222101001")
    error = refused(services_members.do_link_household, insider, member, household)
    assert (error.code, error.field) == ("out_of_scope", "household")


def test_a_village_branch_role_edits_only_its_village():
    village_user = UserFactory(role=Role.VILLAGE_BRANCH, scope=VILLAGE)
    organisation = PartyOrganisationFactory(region_code=VILLAGE)
    services.do_update_organisation(village_user, organisation, name="山川台第二支部")
    assert PartyOrganisation.objects.get(pk=organisation.pk).name == "山川台第二支部"
    assert (
        refused(
            services.do_update_organisation, village_user, organisation, region_code="420222100002"
        ).code
        == "out_of_scope"
    )


def test_a_village_branch_does_not_set_up_new_organisations():
    village_user = UserFactory(role=Role.VILLAGE_BRANCH, scope=VILLAGE)
    error = refused(
        services.do_create_organisation,
        village_user,
        kind="branch",
        name="山川台第二支部",
        region_code=VILLAGE,
    )
    assert error.code == "not_allowed" and not PartyOrganisation.objects.exists()


def test_the_entities_a_joint_branch_covers_are_audited(insider):
    first, second = HostEntityFactory(), HostEntityFactory()
    joint = services.do_create_organisation(
        insider,
        kind="joint_branch",
        name="兴国镇合作社联合党支部",
        region_code="420222100",
        covered_entities=[first],
    )
    services.do_update_organisation(insider, joint, covered_entities=[first, second])

    changes = [
        event.changes["covered_entities"]
        for event in AuditEvent.objects.filter(object_pk=str(joint.pk)).order_by("pk")
        if "covered_entities" in event.changes
    ]
    assert changes == [[[], [first.pk]], [[first.pk], [first.pk, second.pk]]]
