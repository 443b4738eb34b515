"""The register's sheets: households and their members, one row per person.

The format is the one clerks already keep (the national system's 户籍信息): a row per
person, the household's columns carried by the head's row (other rows may repeat them,
and must then agree). Enumerations are written with the national system's Chinese terms;
the codes are accepted too, for files made by programs.

The importer upserts: households keyed by household number, people by ID number. It
checks the whole file against the register a column at a time (one query for all the
household numbers, one for all the ID numbers, one or two for the villages), rejects
with row, column and reason, and writes set-based in one transaction — or nothing.
Loading the same file again changes nothing and says so. The exporter writes the same
columns, so an export (with personal data) can be corrected and imported again.

Here: the columns, the sheet and the export. The national system's terms and the cell
parsers are in `sheets.cells` (other apps' sheets read ID numbers and villages with
them), the importer in `sheets.checks` (the file checked against the register) and
`sheets.loading` (the load).
"""

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers
from baolei.imports import pipeline
from baolei.imports.pipeline import Column, Sheet, boolean_column, integer_parser, text_parser
from baolei.registry import choices
from baolei.registry.models import Household, Member
from baolei.registry.sheets.cells import (
    HIDDEN,
    choice,
    ethnicity_options,
    hidden_or,
    household_number_column,
    id_number_column,
    parse_disability_grade,
    parse_ethnicity,
    village_options,
)
from baolei.registry.sheets.loading import HouseholdImporter

EARLIEST_YEAR = 2000  # as the household form: the register began in 2014, data from 2000
HIDDEN_HELP = _(
    "*** (hidden in an export for a role that may not see personal data) keeps what the "
    "register has for a member it already has."
)


def _this_year() -> int:
    return timezone.localdate().year


def hidden_allowed(column: Column) -> Column:
    """The column also reading the export's hidden mark (***), as `HIDDEN`: the importer
    keeps the register's value for a member it has, and refuses it for a new one."""
    if column.choices is not None:
        return replace(column, synonyms={**(column.synonyms or {}), HIDDEN: HIDDEN})
    return replace(column, parser=hidden_or(column.parser))


COLUMNS = (
    household_number_column(
        _("The household's number in the register; rows with the same number are one household.")
    ),
    Column(
        "village",
        "村",
        parser=text_parser(160),
        options=village_options,
        strict=False,
        width=36,
        help=_(
            "The village: its 12-digit code or its full name, e.g. "
            "湖北省黄石市阳新县兴国镇山川台社区居委会. Required for a new household."
        ),
        aliases=("行政村", "村代码", "所在村"),
    ),
    Column("address", "地址", parser=text_parser(200), width=24, aliases=("家庭住址", "住址")),
    choice("attribute", "户属性", choices.HouseholdAttribute, width=18, aliases=("贫困户属性",)),
    Column(
        "identification_year",
        "识别年度",
        parser=lambda text: integer_parser(EARLIEST_YEAR, _this_year())(text),
        width=10,
        help=_("The year the household was identified, e.g. 2014."),
        aliases=("识别年份", "建档年度"),
    ),
    choice(
        "status",
        "贫困户状态",
        choices.PovertyStatus,
        width=20,
        help=_(
            "For a new household only: afterwards the status changes through the "
            "identification and exit procedures."
        ),
        aliases=("脱贫状态", "贫困状态"),
    ),
    choice("main_cause", "主要致贫原因", choices.PovertyCause, width=14),
    choice(
        "other_causes",
        "其他致贫原因",
        choices.PovertyCause,
        many=2,
        width=18,
        help=_("Up to two, separated by 、 e.g. 缺技术、缺资金."),
    ),
    choice(
        "monitoring_type",
        "监测对象类型",
        choices.MonitoringType,
        width=16,
        help=_(
            "For a new household only (an existing register being entered): afterwards the "
            "monitoring procedures change it. A file may repeat the type a household has."
        ),
    ),
    Column("name", "姓名", required=True, parser=text_parser(64), width=10),
    id_number_column(),
    choice("relation", "与户主关系", choices.Relation, required=True, width=12),
    Column(
        "ethnicity",
        "民族",
        parser=parse_ethnicity,
        options=ethnicity_options,
        strict=False,
        width=10,
    ),
    choice("education", "文化程度", choices.Education, width=14),
    choice("school_status", "在校生状况", choices.SchoolStatus, width=16),
    hidden_allowed(choice("health", "健康状况", choices.Health, width=12, help=HIDDEN_HELP)),
    hidden_allowed(
        Column(
            "disability_grade",
            "残疾等级",
            parser=parse_disability_grade,
            options=lambda scope: ("一级", "二级", "三级", "四级"),
            strict=False,
            width=10,
            help=HIDDEN_HELP,
        )
    ),
    choice("labour_capacity", "劳动技能", choices.LabourCapacity, required=True, width=14),
    choice("employment", "务工状况", choices.Employment, width=14),
    boolean_column("minimum_living", "是否低保", aliases=("低保",)),
    boolean_column("medical_insurance", "是否参加医疗保险", width=10),
    boolean_column("pension_insurance", "是否参加养老保险", width=10),
    Column("phone", "联系电话", parser=text_parser(32), text=True, width=14),
)


SHEET = pipeline.register(
    Sheet(
        kind="households",
        title=_("Households and members"),
        sheet_name="户籍成员",
        columns=COLUMNS,
        importer=HouseholdImporter,
        audit_model="registry.household",
        list_url="registry:household_list",
        description=_(
            "One row per person. Rows with the same 户编号 are one household; the household's "
            "columns are filled on the head's row (other rows may leave them empty). "
            "Households are matched by 户编号 and people by 身份证号: loading a file again "
            "changes only what differs, and an empty cell changes nothing."
        ),
    )
)


# --- the export -------------------------------------------------------------------------


EXPORT_VALUES = (
    "household__number",
    "household__village__full_name",
    "household__address",
    "household__attribute",
    "household__identification_year",
    "household__status",
    "household__main_cause",
    "household__second_cause",
    "household__third_cause",
    "household__monitoring_type",
    "person__name",
    "person__id_number",
    "relation",
    "person__ethnicity",
    "education",
    "school_status",
    "health",
    "disability_grade",
    "labour_capacity",
    "employment",
    "minimum_living",
    "medical_insurance",
    "pension_insurance",
    "person__phone",
)


def export_members(households: QuerySet[Household]) -> QuerySet:
    """The members of these (already scoped and filtered) households, one row per person
    in the sheet's column order, by village, household number and member."""
    return (
        Member.objects.filter(household__in=households.values("pk"))
        .order_by("household__village_id", "household__number", "household_id", "id")
        .values_list(*EXPORT_VALUES)
    )


def export_rows(rows, reveal: bool) -> Iterator[list[Any]]:
    """The sheet's cells for each member row: Chinese terms, 是/否, ID numbers masked
    (and health and disability hidden) unless the reader may see personal data."""
    term = {column.key: column.terms for column in COLUMNS if column.choices is not None}
    attribute, status, cause = term["attribute"], term["status"], term["main_cause"]
    monitoring, relation, education = term["monitoring_type"], term["relation"], term["education"]
    school, health_terms, labour = term["school_status"], term["health"], term["labour_capacity"]
    employment = term["employment"]
    grades = {1: "一级", 2: "二级", 3: "三级", 4: "四级", None: ""}

    def yes_no(value: bool) -> str:
        return "是" if value else "否"

    for (
        number,
        village,
        address,
        attribute_code,
        year,
        status_code,
        main,
        second,
        third,
        monitoring_code,
        name,
        id_number,
        relation_code,
        ethnicity,
        education_code,
        school_code,
        health_code,
        grade,
        labour_code,
        employment_code,
        minimum_living,
        medical,
        pension,
        phone,
    ) in rows:
        others = "、".join(cause.get(code, code) for code in (second, third) if code)
        yield [
            number,
            village,
            address,
            attribute.get(attribute_code, attribute_code),
            year if year is not None else "",
            status.get(status_code, status_code),
            cause.get(main, main),
            others,
            monitoring.get(monitoring_code, monitoring_code),
            name,
            id_number if reveal else idnumbers.mask(id_number),
            relation.get(relation_code, relation_code),
            ethnicity,
            education.get(education_code, education_code),
            school.get(school_code, school_code),
            health_terms.get(health_code, health_code) if reveal else HIDDEN,
            grades.get(grade, grade) if reveal else (HIDDEN if grade else ""),
            labour.get(labour_code, labour_code),
            employment.get(employment_code, employment_code),
            yes_no(minimum_living),
            yes_no(medical),
            yes_no(pension),
            phone,
        ]


def export_header() -> list[str]:
    return [column.header for column in COLUMNS]


def text_columns() -> Sequence[int]:
    """Columns written as text in the export, as in the template."""
    return [index for index, column in enumerate(COLUMNS) if column.text]


# The household years sheet registers with the pipeline when this module is discovered.
import baolei.registry.sheets.years  # noqa: E402, F401
