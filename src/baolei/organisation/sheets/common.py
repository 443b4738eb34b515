"""What the organisation's sheets share: the Chinese terms of its enumerations, the
column makers and cell parsers, and the checks made a column at a time — regions and
branches named in a file, and the people (secretaries, members) a file names by ID number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers
from baolei.imports import cells
from baolei.imports.bulk import fetch_in, insert_rows
from baolei.imports.pipeline import (
    CellProblem,
    Column,
    Importer,
    Table,
    integer_parser,
    text_parser,
)
from baolei.messages import lazy_format
from baolei.organisation.choices import (
    HostKind,
    MemberCategory,
    MemberStanding,
    OrganisationKind,
    OrganisationStatus,
)
from baolei.organisation.services import organisations as services
from baolei.regions.models import Region
from baolei.registry.models import Person
from baolei.registry.services.people import PERSON_OUTSIDE_SCOPE, people_outside_scope

# The Chinese words written in templates and exports (and accepted on import).
TERMS = {
    OrganisationKind: {
        "committee": "党委",
        "general_branch": "党总支",
        "branch": "党支部",
        "joint_branch": "联合党支部",
        "temporary_branch": "临时党支部",
    },
    OrganisationStatus: {"active": "正常", "merged": "已合并", "dissolved": "已撤销"},
    HostKind: {
        "cooperative": "农民专业合作社",
        "association": "行业协会",
        "chain_project": "产业链项目",
        "enterprise": "企业",
        "social_organisation": "社会组织",
    },
    MemberStanding: {"probationary": "预备党员", "full": "正式党员"},
    MemberCategory: {
        "resident": "在村党员",
        "migrant": "流动党员",
        "elderly_infirm": "老弱病残党员",
    },
}
SYNONYMS = {
    HostKind: {"合作社": "cooperative", "专业合作社": "cooperative", "协会": "association"},
    MemberStanding: {"正式": "full", "预备": "probationary"},
    MemberCategory: {"流动": "migrant", "在村": "resident", "老弱病残": "elderly_infirm"},
}


def choice(key: str, header: str, enumeration: type, **options: Any) -> Column:
    return Column(
        key,
        header,
        choices=enumeration,
        labels=TERMS[enumeration],
        synonyms=SYNONYMS.get(enumeration),
        **options,
    )


def parse_credit_code(text: str) -> str:
    try:
        return services.validate_credit_code(text)
    except services.OrganisationError as error:
        raise CellProblem(error.code, error.message) from None


def parse_date(text: str):
    return cells.parse_date(text)


def parse_year(text: str) -> int:
    return integer_parser(1949, timezone.localdate().year)(text)


REGION_HELP = _(
    "The region's code (12 digits for a village) or its full name, e.g. "
    "湖北省黄石市阳新县兴国镇山川台社区居委会."
)


def region_column(key: str, header: str, **options: Any) -> Column:
    return Column(key, header, parser=text_parser(160), width=30, help=REGION_HELP, **options)


# --- shared checks, a column at a time ---------------------------------------------------


def resolve_regions(importer: Importer, table: Table, key: str) -> dict[int, str]:
    """Row index → region code for the texts of column `key`: codes in one query, full
    names in one; a region unknown or outside the scope rejects its rows."""
    scope = importer.context.scope
    column = table.column(key)
    texts = {text for text in column if text}
    wanted = {text for text in texts if text.isascii() and text.isdigit()}
    found: dict[str, str] = {}
    for code in fetch_in(Region.objects.values_list("code", flat=True), "code", wanted):
        found[code] = code
    names = texts - wanted
    for full_name, code in fetch_in(
        Region.objects.values_list("full_name", "code"), "full_name", names
    ):
        found[full_name] = code
    resolved: dict[int, str] = {}
    for index, text in enumerate(column):
        if not text:
            continue
        code = found.get(text)
        if code is None:
            importer.reject(
                index, key, lazy_format(_("There is no region %(text)s."), text=text[:60])
            )
        elif not scope.contains(code):
            importer.reject(
                index,
                key,
                lazy_format(_("The region %(code)s is outside your scope."), code=code),
            )
        else:
            resolved[index] = code
    return resolved


def resolve_branches(
    importer: Importer, table: Table, regions: dict[int, str], organisations: QuerySet, missing
) -> dict[int, int]:
    """Row index → the organisation of `organisations` named in column "branch" in the
    row's region (one query); a name not found there rejects its row with `missing`
    (a message with the name and the region's code)."""
    names = {text for text in table.column("branch") if text}
    found = {
        (code, name): pk
        for pk, code, name in fetch_in(
            organisations.values_list("pk", "region_code", "name"), "name", names
        )
    }
    branches = {}
    for index, name in enumerate(table.column("branch")):
        if not name or index not in regions:
            continue
        pk = found.get((regions[index], name))
        if pk is None:
            importer.reject(index, "branch", lazy_format(missing, name=name, code=regions[index]))
        else:
            branches[index] = pk
    return branches


@dataclass
class People:
    """The people a file names: existing ones by ID number, new ones to be made."""

    existing: dict[str, int] = field(default_factory=dict)  # id number → Person pk
    new: dict[str, tuple[str, idnumbers.IdNumber, str]] = field(default_factory=dict)

    def write(self, progress) -> dict[str, int]:
        """Make the new people; every ID number of the file → its Person pk."""
        numbers = list(self.new)
        now = timezone.now()
        rows = [
            (number, name, parsed.sex, parsed.birth_date, region, now)
            for number, (name, parsed, region) in self.new.items()
        ]
        keys = insert_rows(
            Person,
            ["id_number", "name", "sex", "birth_date", "region_code", "created_at"],
            rows,
            progress,
        )
        return {**self.existing, **dict(zip(numbers, keys, strict=True))}


def check_people(
    importer: Importer,
    table: Table,
    rows: dict[int, tuple[str, str, idnumbers.IdNumber, str]],
    id_key: str,
    name_key: str,
    people: People | None = None,
    held: tuple[QuerySet, str] | None = None,
) -> People:
    """`rows`: index → (id number, name, parsed, region). One query for all the numbers;
    a number registered under another name, or given twice with different names, is
    rejected (a different name is far more often a mistyped number than a new name).

    A person registered outside the importer's scope is refused, saying no more than
    that (as the pages and the API do), unless they already hold one of `held` (the
    scope's records this sheet writes and their person field: a record of theirs is
    updated, not a person taken)."""
    people = people or People()
    registered = {
        number: (pk, name, region)
        for pk, number, name, region in fetch_in(
            Person.objects.values_list("pk", "id_number", "name", "region_code"),
            "id_number",
            [number for number, *_rest in rows.values()],
        )
    }
    foreign = people_outside_scope(
        importer.context.scope,
        [(pk, region) for pk, _name, region in registered.values()],
        held,
    )
    first_name: dict[str, str] = {}
    for index, (number, name, parsed, region) in rows.items():
        known = registered.get(number)
        if known is not None and known[0] in foreign:
            importer.reject(index, id_key, PERSON_OUTSIDE_SCOPE)
            continue
        if known is not None and known[1] != name:
            importer.reject(
                index,
                name_key,
                lazy_format(
                    _("The ID number %(id)s is registered to %(registered)s, not %(given)s."),
                    id=idnumbers.mask(number),
                    registered=known[1],
                    given=name,
                ),
            )
            continue
        if first_name.setdefault(number, name) != name:
            importer.reject(
                index, id_key, _("The same ID number is given above with another name.")
            )
            continue
        if known is not None:
            people.existing[number] = known[0]
        else:
            people.new.setdefault(number, (name, parsed, region))
    return people


def _kept(value: Any, current: Any) -> Any:
    """An empty cell keeps what is there."""
    return current if value is None else value


def text_columns(columns: Sequence[Column]) -> list[int]:
    return [index for index, column in enumerate(columns) if column.text]
