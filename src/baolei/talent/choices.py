"""The talent app's enumerations; English labels, translated to the official terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a talent comes from, as the talent-pool policy lists them."""

    RURAL_ENTREPRENEUR = "rural_entrepreneur", _("Rural entrepreneur")  # 农村致富带头人
    MIGRANT_BUSINESS = (
        "migrant_business",
        _("Migrant worker or business person"),
    )  # 外出务工经商人员
    VETERAN = "veteran", _("Veteran")  # 退役军人
    VILLAGE_DOCTOR = "village_doctor", _("Village doctor")  # 乡村医生
    VILLAGE_TEACHER = "village_teacher", _("Village teacher")  # 乡村教师
    RETURNED_MIGRANT = "returned_migrant", _("Returned migrant worker")  # 返乡务工人员
    COOPERATIVE_HEAD = "cooperative_head", _("Cooperative head")  # 合作社带头人
    LOCAL_WORTHY = "local_worthy", _("Local worthy")  # 乡贤


class Stage(models.TextChoices):
    """The identify → cultivate → use pipeline (识才、育才、用才), in that order."""

    IDENTIFIED = "identified", _("Identification")  # 识才
    CULTIVATED = "cultivated", _("Cultivation")  # 育才
    USED = "used", _("Put to use")  # 用才


STAGE_ORDER = {stage: rank for rank, stage in enumerate(Stage.values)}


class Skill(models.TextChoices):
    """A small vocabulary, so that skills can be counted; free text says the rest."""

    CROP_FARMING = "crop_farming", _("Crop farming")  # 种植
    ANIMAL_HUSBANDRY = "animal_husbandry", _("Animal husbandry")  # 养殖
    AQUACULTURE = "aquaculture", _("Aquaculture")  # 水产
    AGRO_PROCESSING = "agro_processing", _("Agricultural processing")  # 农产品加工
    E_COMMERCE = "e_commerce", _("E-commerce")  # 电子商务
    RURAL_TOURISM = "rural_tourism", _("Rural tourism")  # 乡村旅游
    MACHINERY = "machinery", _("Farm machinery")  # 农机
    CONSTRUCTION = "construction", _("Construction")  # 建筑
    CRAFTS = "crafts", _("Traditional crafts")  # 传统手工艺
    MEDICINE = "medicine", _("Medical care")  # 医疗卫生
    TEACHING = "teaching", _("Teaching")  # 教育
    MANAGEMENT = "management", _("Business management")  # 经营管理


class StudioKind(models.TextChoices):
    AGRICULTURAL_EXPERT = "agricultural_expert", _("Agricultural expert studio")  # 农业专家工作室
    MASTER_TEACHER = "master_teacher", _("Master teacher studio")  # 名师工作室
    MASTER_DOCTOR = "master_doctor", _("Master doctor studio")  # 名医工作室


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University or college")  # 高校
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")  # 科研院所
    HOSPITAL = "hospital", _("Hospital")  # 医院
    SCHOOL = "school", _("School")  # 学校
    OTHER = "other", _("Other institution")  # 其他单位


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Awaiting acceptance")  # 待受理
    ACCEPTED = "accepted", _("Accepted")  # 已受理
    DELIVERED = "delivered", _("Delivered")  # 已服务
    CLOSED = "closed", _("Concluded")  # 已办结


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    FAIRLY_SATISFIED = "fairly_satisfied", _("Fairly satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意
