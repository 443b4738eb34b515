"""The enumerations of the party organisation system, translated to the official terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganisationKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")  # 党委
    GENERAL_BRANCH = "general_branch", _("General party branch")  # 党总支
    BRANCH = "branch", _("Party branch")  # 党支部
    JOINT_BRANCH = "joint_branch", _("Joint party branch")  # 联合党支部
    TEMPORARY_BRANCH = "temporary_branch", _("Temporary party branch")  # 临时党支部


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("organisation status", "Active")  # 正常
    MERGED = "merged", _("Merged")  # 已合并
    DISSOLVED = "dissolved", _("Dissolved")  # 已撤销


class HostKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("Farmer cooperative")  # 农民专业合作社
    ASSOCIATION = "association", _("Industry association")  # 行业协会
    CHAIN_PROJECT = "chain_project", _("Industry-chain project")  # 产业链项目
    ENTERPRISE = "enterprise", _("Enterprise")  # 企业
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")  # 社会组织


class MemberStanding(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary member")  # 预备党员
    FULL = "full", _("Full member")  # 正式党员


class MemberCategory(models.TextChoices):
    RESIDENT = "resident", _("Resident member")  # 在村党员
    MIGRANT = "migrant", _("Migrant member")  # 流动党员
    ELDERLY_INFIRM = "elderly_infirm", _("Elderly, infirm or disabled member")  # 老弱病残党员


class CommitteePostKind(models.TextChoices):
    SECRETARY = "secretary", _("Village party organisation secretary")  # 村党组织书记
    CHAIR = "chair", _("Villagers' committee chair")  # 村委会主任
    SECRETARY_AND_CHAIR = (
        "secretary_and_chair",
        _("Secretary and chair (one person)"),
    )  # 书记、主任“一肩挑”
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy party secretary")  # 村党组织副书记
    DEPUTY_CHAIR = "deputy_chair", _("Deputy committee chair")  # 村委会副主任
    PARTY_COMMITTEE_MEMBER = (
        "party_committee_member",
        _("Party organisation committee member"),
    )  # 村党组织委员
    VILLAGE_COMMITTEE_MEMBER = (
        "village_committee_member",
        _("Villagers' committee member"),
    )  # 村委会委员


SECRETARY_POSTS = (CommitteePostKind.SECRETARY, CommitteePostKind.SECRETARY_AND_CHAIR)


class HolderSource(models.TextChoices):
    ENTREPRENEUR = "entrepreneur", _("Rural entrepreneur")  # 农村致富带头人
    VETERAN = "veteran", _("Veteran")  # 退役军人
    RETURNED_MIGRANT = "returned_migrant", _("Returned migrant worker")  # 返乡务工人员
    LOCAL_MEMBER = "local_member", _("Local party member")  # 本土党员
    OTHER = "other", _("Other")  # 其他


# The sources the organisation department recommends for village secretaries.
RECOMMENDED_SOURCES = (
    HolderSource.ENTREPRENEUR,
    HolderSource.VETERAN,
    HolderSource.RETURNED_MIGRANT,
    HolderSource.LOCAL_MEMBER,
)


class ElectionKind(models.TextChoices):
    GENERAL = "general", _("General election")  # 换届选举
    BY_ELECTION = "by_election", _("By-election")  # 补选
