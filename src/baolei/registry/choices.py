"""The enumerations of the registry, with the Chinese terms of the national system
(全国防返贫监测信息系统) as their translations."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HouseholdAttribute(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary poor household")  # 一般贫困户
    MINIMUM_LIVING = "minimum_living", _("Minimum-living-guarantee poor household")  # 低保贫困户
    DESTITUTE = "destitute", _("Destitute-support poor household")  # 特困供养贫困户
    MINIMUM_LIVING_DESTITUTE = (
        "minimum_living_destitute",
        _("Minimum-living and destitute-support poor household"),
    )  # 低保特困供养贫困户


class PovertyStatus(models.TextChoices):
    NOT_LIFTED = "not_lifted", _("Not yet lifted out")  # 未脱贫
    LIFTED_WITH_POLICY = "lifted_with_policy", _("Lifted out (still receiving policy)")
    LIFTED_NO_POLICY = "lifted_no_policy", _("Lifted out (no longer receiving policy)")
    RELAPSED = "relapsed", _("Relapsed into poverty")  # 返贫


class PovertyCause(models.TextChoices):
    ILLNESS = "illness", _("Illness")  # 因病
    DISABILITY = "disability", _("Disability")  # 因残
    SCHOOLING = "schooling", _("Schooling")  # 因学
    DISASTER = "disaster", _("Disaster")  # 因灾
    LACK_OF_LAND = "lack_of_land", _("Lack of land")  # 缺土地
    LACK_OF_WATER = "lack_of_water", _("Lack of water")  # 缺水
    LACK_OF_SKILLS = "lack_of_skills", _("Lack of skills")  # 缺技术
    LACK_OF_LABOUR = "lack_of_labour", _("Lack of labour")  # 缺劳力
    LACK_OF_CAPITAL = "lack_of_capital", _("Lack of capital")  # 缺资金
    POOR_TRANSPORT = "poor_transport", _("Poor transport")  # 交通条件落后
    LACK_OF_DRIVE = "lack_of_drive", _("Lack of own drive")  # 自身发展动力不足
    OTHER = "other", _("Other")  # 其他


class IdentificationStandard(models.TextChoices):
    NATIONAL = "national", _("National standard")  # 国家标准
    PROVINCIAL = "provincial", _("Provincial standard")  # 省定标准


class HousingStructure(models.TextChoices):
    REINFORCED_CONCRETE = "reinforced_concrete", _("Reinforced concrete")  # 钢混
    BRICK_CONCRETE = "brick_concrete", _("Brick and concrete")  # 砖混
    BRICK_WOOD = "brick_wood", _("Brick and wood")  # 砖木
    EARTH_WOOD = "earth_wood", _("Earth and wood")  # 土木
    OTHER = "other", _("Other")


class HousingSafety(models.TextChoices):
    SAFE = "safe", _("Safe")  # 安全住房
    GRADE_C = "grade_c", _("Dangerous, grade C")  # C级危房
    GRADE_D = "grade_d", _("Dangerous, grade D")  # D级危房


class MonitoringType(models.TextChoices):
    UNSTABLE = "unstable", _("Unstable lifted-out household")  # 脱贫不稳定户
    MARGINAL = "marginal", _("Marginal household at risk")  # 边缘易致贫户
    SUDDEN_HARDSHIP = "sudden_hardship", _("Household in sudden severe hardship")  # 突发严重困难户


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")  # 户主
    SPOUSE = "spouse", _("Spouse")  # 配偶
    SON = "son", _("Son")  # 之子
    DAUGHTER = "daughter", _("Daughter")  # 之女
    DAUGHTER_IN_LAW = "daughter_in_law", _("Daughter-in-law")  # 之儿媳
    SON_IN_LAW = "son_in_law", _("Son-in-law")  # 之女婿
    GRANDSON = "grandson", _("Grandson")  # 之孙子
    GRANDDAUGHTER = "granddaughter", _("Granddaughter")  # 之孙女
    FATHER = "father", _("Father")  # 之父
    MOTHER = "mother", _("Mother")  # 之母
    SIBLING = "sibling", _("Brother or sister")  # 兄弟姐妹
    OTHER = "other", _("Other relative")  # 其他


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Education(models.TextChoices):
    PRESCHOOL = "preschool", _("Pre-school age")  # 学龄前儿童
    ILLITERATE = "illiterate", _("Illiterate or semi-literate")  # 文盲或半文盲
    PRIMARY = "primary", _("Primary school")  # 小学
    JUNIOR = "junior", _("Junior secondary")  # 初中
    SENIOR = "senior", _("Senior secondary")  # 高中
    VOCATIONAL = "vocational", _("Vocational secondary")  # 中专
    COLLEGE = "college", _("College or above")  # 大专及以上


class SchoolStatus(models.TextChoices):
    NOT_IN_SCHOOL = "not_in_school", _("Not in school")  # 非在校生
    PRESCHOOL = "preschool", _("Pre-school education")  # 学前教育
    PRIMARY = "primary", _("Primary school")  # 小学
    JUNIOR = "junior", _("Junior secondary")  # 七年级至九年级
    SENIOR = "senior", _("Senior secondary")  # 普通高中
    VOCATIONAL = "vocational", _("Vocational school")  # 中职/高职
    UNIVERSITY = "university", _("University")  # 本科及以上


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")  # 健康
    CHRONIC = "chronic", _("Long-term chronic illness")  # 长期慢性病
    SERIOUS = "serious", _("Serious illness")  # 患有大病
    DISABLED = "disabled", _("Disabled")  # 残疾


class LabourCapacity(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary labour")  # 普通劳动力
    SKILLED = "skilled", _("Skilled labour")  # 技能劳动力
    LOST = "lost", _("Lost labour capacity")  # 丧失劳动力
    NONE = "none", _("No labour capacity")  # 无劳动力


class Employment(models.TextChoices):
    FARMING = "farming", _("Farming at home")  # 务农
    IN_COUNTY = "in_county", _("Working in the county")  # 县内务工
    IN_PROVINCE = "in_province", _("Working elsewhere in the province")  # 省内县外务工
    OUT_OF_PROVINCE = "out_of_province", _("Working outside the province")  # 省外务工
    PUBLIC_WELFARE_POST = "public_welfare_post", _("Public welfare post")  # 公益岗位
    NONE = "none", _("Not working")  # 无


class RiskKind(models.TextChoices):
    MAJOR_ILLNESS = "major_illness", _("Major illness")  # 大病
    DISABILITY = "disability", _("Disability")  # 残疾
    DISASTER = "disaster", _("Natural disaster")  # 自然灾害
    ACCIDENT = "accident", _("Accident")  # 意外事故
    LOSS_OF_WORK = "loss_of_work", _("Loss of work")  # 失业/务工就业不稳
    HIGH_COSTS = "high_costs", _("Large schooling or medical costs")  # 教育/医疗支出骤增


class IdentificationRoute(models.TextChoices):
    OWN_APPLICATION = "own_application", _("Own application")  # 农户自主申报
    CADRE_SCREENING = "cadre_screening", _("Screening by village cadres")  # 基层干部排查
    DEPARTMENT_ALERT = "department_alert", _("Alert from departments")  # 部门筛查预警


class MeasureKind(models.TextChoices):
    # In a context: "Education" alone is a person's schooling (文化程度), here it is the
    # kind of assistance (教育帮扶); the same for industry, employment, health, housing.
    INDUSTRY = "industry", pgettext_lazy("assistance measure", "Industry")  # 产业帮扶
    EMPLOYMENT = "employment", pgettext_lazy("assistance measure", "Employment")  # 就业帮扶
    HEALTH = "health", pgettext_lazy("assistance measure", "Health")  # 健康帮扶
    EDUCATION = "education", pgettext_lazy("assistance measure", "Education")  # 教育帮扶
    HOUSING = "housing", pgettext_lazy("assistance measure", "Housing")  # 住房安全保障
    SOCIAL_SECURITY = "social_security", _("Social security")  # 社会保障
    MINIMUM_LIVING = "minimum_living", _("Minimum living guarantee")  # 低保/特困兜底


class CaseStatus(models.TextChoices):
    IDENTIFYING = "identifying", _("Being identified")  # 识别中
    MONITORED = "monitored", _("Monitored")  # 监测中
    RISK_ELIMINATED = "risk_eliminated", _("Risk eliminated")  # 风险已消除
    DISMISSED = "dismissed", _("Not included")  # 未纳入


ASSURANCES = (
    # (field, label): the two assurances, three guarantees and safe drinking water
    ("food", _("Enough to eat")),  # 不愁吃
    ("clothing", _("Enough to wear")),  # 不愁穿
    ("compulsory_education", _("Compulsory education")),  # 义务教育有保障
    ("basic_medical", _("Basic medical care")),  # 基本医疗有保障
    ("housing_safety", _("Safe housing")),  # 住房安全有保障
    ("drinking_water", _("Safe drinking water")),  # 饮水安全有保障
)
