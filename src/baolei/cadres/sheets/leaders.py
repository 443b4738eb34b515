"""The village leader pool's sheet (村级带头人): one row per person, upserted by ID number
like the cadres' sheet (see `sheets.py`); a new person's date identified becomes the first
step of their development."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers
from baolei.accounts.permissions import Perm
from baolei.cadres import choices
from baolei.cadres.models import LeaderCandidate, LeaderDevelopment
from baolei.cadres.sheets.cadres import PersonRecordImporter, choice, parse_date
from baolei.imports import pipeline
from baolei.imports.bulk import insert_rows
from baolei.imports.pipeline import Column, Sheet, boolean_column, text_parser
from baolei.registry.sheets import id_number_column, village_options

# --- village leaders ---------------------------------------------------------------------

LEADER_COLUMNS = (
    Column("name", "姓名", required=True, parser=text_parser(64), width=10),
    id_number_column(),
    Column(
        "village",
        "村",
        parser=text_parser(160),
        options=village_options,
        strict=False,
        width=36,
        help=_("The village: its 12-digit code or its full name. Required for a new person."),
        aliases=("行政村", "村代码", "所在村"),
    ),
    choice("category", "类别", choices.LeaderCategory, width=16),
    choice("source", "来源", choices.LeaderSource, width=16, help=_("Required for a new person.")),
    boolean_column("party_member", "是否党员"),
    choice("education", "学历", choices.Education, width=12, help=_("Required for a new person.")),
    Column("occupation", "现从事工作", parser=text_parser(120), width=20, aliases=("职业",)),
    Column("identified_on", "确定日期", parser=parse_date, width=14),
    Column("phone", "联系电话", parser=text_parser(32), text=True, width=14),
    Column("note", "备注", parser=text_parser(500), width=24),
)
LEADER_KEYS = (
    "region_code",
    "category",
    "source",
    "party_member",
    "education",
    "occupation",
    "note",
)


class LeaderImporter(PersonRecordImporter):
    """The pool keyed by ID number; a new person's date identified is their first step."""

    model = LeaderCandidate
    keys = LEADER_KEYS
    region_column = "village"
    village = True
    required_for_new = ("village", "source", "education")
    required_message = _("Required for a new person.")
    outside_scope_message = _("This person is in a pool outside your scope.")
    defaults = {
        "category": choices.LeaderCategory.RESERVE,
        "party_member": False,
        "occupation": "",
        "note": "",
    }

    def created(self, keys: list[int], indexes: list[int]) -> dict[str, int]:
        days = (self.table.value("identified_on", index) for index in indexes)
        steps = [
            (key, choices.DevelopmentStep.IDENTIFIED, day)
            for key, day in zip(keys, days, strict=True)
            if day is not None
        ]
        insert_rows(LeaderDevelopment, ["candidate", "step", "done_on"], steps, lambda n: None)
        return {}


LEADER_SHEET = pipeline.register(
    Sheet(
        kind="village_leaders",
        title=_("Village leader pool"),
        sheet_name="村级带头人",
        columns=LEADER_COLUMNS,
        importer=LeaderImporter,
        import_permission=Perm.MANAGE_CADRES,
        audit_model="cadres.leadercandidate",
        list_url="cadres:leader_list",
        description=_(
            "One row per person in a village's leader pool, matched by 身份证号: a known "
            "person is updated with the cells given, a new one is added (with the date "
            "identified as the first step of their development)."
        ),
    )
)


def with_identified_on(candidates: QuerySet[LeaderCandidate]) -> QuerySet[LeaderCandidate]:
    """`identified_on`: the date of the identification step, which is what the import
    writes from 确定日期; a person entered without one gets their first step's date, the
    nearest thing to when they joined the pool."""
    identified = Min("steps__done_on", filter=Q(steps__step=choices.DevelopmentStep.IDENTIFIED))
    return candidates.annotate(identified_on=Coalesce(identified, Min("steps__done_on")))


def leader_export_rows(candidates: QuerySet[LeaderCandidate], reveal: bool) -> Iterator[list]:
    columns = {column.key: column for column in LEADER_COLUMNS}
    rows = with_identified_on(candidates.select_related("person"))
    for candidate in rows.iterator(chunk_size=1000):
        yield [
            candidate.person.name,
            candidate.person.id_number if reveal else idnumbers.mask(candidate.person.id_number),
            candidate.region_code,
            columns["category"].term(candidate.category),
            columns["source"].term(candidate.source),
            "是" if candidate.party_member else "否",
            columns["education"].term(candidate.education),
            candidate.occupation,
            candidate.identified_on,
            candidate.person.phone,
            candidate.note,
        ]
