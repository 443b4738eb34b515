"""The enumerations of the cadre records, with the official Chinese terms as their
translations (the comments give them for readers of the code)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rank(models.TextChoices):
    """Civil-service rank (职级), lowest first: the order is used for sorting."""

    CLERK = "clerk", _("Clerk")  # 办事员
    STAFF_MEMBER = "staff_member", _("Staff member")  # 科员
    DEPUTY_SECTION = "deputy_section", _("Deputy section chief level")  # 副科级
    SECTION = "section", _("Section chief level")  # 正科级
    DEPUTY_DIVISION = "deputy_division", _("Deputy division chief level")  # 副处级
    DIVISION = "division", _("Division chief level")  # 正处级
    DEPUTY_BUREAU = "deputy_bureau", _("Deputy bureau chief level")  # 副厅级
    BUREAU = "bureau", _("Bureau chief level")  # 正厅级
    OTHER = "other", _("Other (not a civil-service rank)")  # 其他


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("CPC member")  # 中共党员
    PROBATIONARY_MEMBER = "probationary_member", _("CPC probationary member")  # 中共预备党员
    LEAGUE_MEMBER = "league_member", _("Communist Youth League member")  # 共青团员
    MASSES = "masses", _("Ordinary citizen")  # 群众
    DEMOCRATIC_PARTY = "democratic_party", _("Democratic party member")  # 民主党派


class CadreEducation(models.TextChoices):
    """Highest education, highest first. Named apart from the register's `Education`
    (other levels) so that the API document lists both."""

    POSTGRADUATE = "postgraduate", _("Postgraduate")  # 研究生
    UNDERGRADUATE = "undergraduate", _("University undergraduate")  # 大学本科
    COLLEGE = "college", _("Junior college")  # 大专
    SECONDARY = "secondary", _("Secondary vocational or senior secondary")  # 中专/高中
    JUNIOR_OR_BELOW = "junior_or_below", _("Junior secondary or below")  # 初中及以下


Education = CadreEducation


class DisciplineKind(models.TextChoices):
    """Party discipline (党纪处分), administrative sanctions (政务处分) and the lighter
    organisational handling (组织处理) recorded in a cadre's file."""

    ADMONISHMENT = "admonishment", _("Admonishment")  # 诫勉
    WARNING = "warning", _("Warning")  # 警告
    SERIOUS_WARNING = "serious_warning", _("Serious warning")  # 严重警告
    DEMERIT = "demerit", _("Demerit")  # 记过
    MAJOR_DEMERIT = "major_demerit", _("Major demerit")  # 记大过
    DEMOTION = "demotion", _("Demotion")  # 降级
    REMOVAL_FROM_POST = "removal_from_post", _("Removal from post")  # 撤职
    PROBATION = "probation", _("Probation within the Party")  # 留党察看
    EXPULSION = "expulsion", _("Expulsion")  # 开除
    OTHER = "other", _("Other")  # 其他


class AchievementKind(models.TextChoices):
    LIFTED = "lifted", _("Household lifted out of poverty")  # 带动脱贫
    RISK_ELIMINATED = "risk_eliminated", _("Risk eliminated")  # 消除风险
    PROJECT = "project", _("Project delivered")  # 项目落地
    VISIT = "visit", _("Visit made")  # 走访
    OTHER = "other", _("Other")  # 其他


class Grade(models.TextChoices):
    """Annual assessment grade (年度考核等次), best first."""

    EXCELLENT = "excellent", _("Excellent")  # 优秀
    COMPETENT = "competent", _("Competent")  # 称职
    BASICALLY_COMPETENT = "basically_competent", _("Basically competent")  # 基本称职
    INCOMPETENT = "incompetent", _("Incompetent")  # 不称职


class IncentiveKind(models.TextChoices):
    COMMENDED = "commended", _("Commended")  # 表彰
    PROMOTED = "promoted", _("Promoted")  # 提拔
    REUSED = "reused", _("Given greater responsibility")  # 重用


class LeaderSource(models.TextChoices):
    """The recommended sources of village leaders (村级带头人)."""

    ENTREPRENEUR = "entrepreneur", _("Rural entrepreneur")  # 农村致富带头人
    VETERAN = "veteran", _("Veteran")  # 退役军人
    RETURNED_MIGRANT = "returned_migrant", _("Returned migrant worker")  # 返乡务工人员
    LOCAL_PARTY_MEMBER = "local_party_member", _("Local party member")  # 本土党员
    OTHER = "other", _("Other")  # 其他


class LeaderCategory(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate for branch secretary")  # 村党组织书记人选
    RESERVE = "reserve", _("Village reserve")  # 村级后备力量


class DevelopmentStep(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")  # 摸排确定
    TRAINED = "trained", _("Trained")  # 培养培训
    TESTED = "tested", _("Tested in a post")  # 岗位锻炼
    APPOINTED = "appointed", _("Appointed or elected")  # 任职/当选
    WITHDRAWN = "withdrawn", _("Left the pool")  # 退出
