"""The sheet of cooperatives and the other host entities with a credit code (associations,
chain projects, enterprises, social organisations): upserted by the unified social credit
code, an empty cell changing nothing; and its export, in the same columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Perm
from baolei.imports import pipeline
from baolei.imports.bulk import Ticker, fetch_in, insert_rows, update_rows
from baolei.imports.pipeline import Column, Importer, Sheet, Table, integer_parser, text_parser
from baolei.messages import lazy_format
from baolei.organisation.choices import HostKind
from baolei.organisation.models import HostEntity
from baolei.organisation.sheets.common import (
    TERMS,
    _kept,
    choice,
    parse_credit_code,
    parse_date,
    parse_year,
    region_column,
    resolve_regions,
)

HOST_COLUMNS = (
    Column(
        "registration_number",
        "统一社会信用代码",
        required=True,
        parser=parse_credit_code,
        text=True,
        width=22,
        cacheable=False,
        aliases=("信用代码", "注册号"),
    ),
    Column("name", "名称", required=True, parser=text_parser(120), width=30),
    choice("kind", "类型", HostKind, width=16, help=_("Empty: a farmer cooperative.")),
    region_column("region", "所在地区", aliases=("所在村", "地区代码")),
    Column("industry", "产业类型", parser=text_parser(64), width=14),
    Column("size", "成员(职工)数", parser=integer_parser(0, 10_000_000), width=10),
    Column("founded_year", "成立年份", parser=parse_year, width=10),
    Column("instructor", "党建指导员", parser=text_parser(64), width=10),
    Column("last_activity_on", "最近党的活动日期", parser=parse_date, width=14),
)
HOST_VALUE_KEYS = (
    "name",
    "kind",
    "region_code",
    "industry",
    "size",
    "founded_year",
    "instructor",
    "last_activity_on",
)


@dataclass
class HostPlan:
    inserts: list[dict] = field(default_factory=list)
    updates: list[tuple[int, dict]] = field(default_factory=list)  # (pk, values)


class HostImporter(Importer):
    def validate(self, table: Table) -> HostPlan | None:
        regions = resolve_regions(self, table, "region")
        numbers = table.column("registration_number")
        existing = {
            row["registration_number"]: row
            for row in fetch_in(
                HostEntity.objects.values("pk", "registration_number", *HOST_VALUE_KEYS),
                "registration_number",
                [n for n in numbers if n],
            )
        }
        seen: dict[str, int] = {}
        plan = HostPlan()
        for index, number in enumerate(numbers):
            if not number:
                continue
            if number in seen:
                self.reject(
                    index,
                    "registration_number",
                    lazy_format(
                        _("The code is already on row %(row)d."), row=table.numbers[seen[number]]
                    ),
                )
                continue
            seen[number] = index
            values = {
                "name": table.value("name", index),
                "kind": table.value("kind", index),
                "region_code": regions.get(index),
                "industry": table.value("industry", index),
                "size": table.value("size", index),
                "founded_year": table.value("founded_year", index),
                "instructor": table.value("instructor", index),
                "last_activity_on": table.value("last_activity_on", index),
            }
            if values["last_activity_on"] and values["last_activity_on"] > self.context.today:
                self.reject(index, "last_activity_on", _("The date is in the future."))
            current = existing.get(number)
            if current is None:
                if table.value("region", index) is None:
                    self.reject(index, "region", _("Required for a new entity."))
                plan.inserts.append(
                    {
                        "registration_number": number,
                        **{k: v for k, v in values.items() if v is not None},
                    }
                )
            elif not self.context.scope.contains(current["region_code"]):
                self.reject(
                    index,
                    "registration_number",
                    _("The entity is registered in a region outside your scope."),
                )
            else:
                merged = {k: _kept(values[k], current[k]) for k in HOST_VALUE_KEYS}
                if any(merged[k] != current[k] for k in HOST_VALUE_KEYS):
                    plan.updates.append((current["pk"], merged))
        return None if self.errors else plan

    def load(self, plan: HostPlan, progress) -> dict[str, int]:
        ticker = Ticker(len(self.table), len(plan.inserts) + len(plan.updates), progress)
        now = timezone.now()
        defaults = {
            "kind": HostKind.COOPERATIVE,
            "industry": "",
            "size": 0,
            "founded_year": None,
            "instructor": "",
            "last_activity_on": None,
        }
        keys = ["registration_number", *HOST_VALUE_KEYS, "created_at"]
        rows = [
            [{**defaults, **values, "created_at": now}[k] for k in keys] for values in plan.inserts
        ]
        insert_rows(HostEntity, keys, rows, ticker)
        update_rows(
            HostEntity,
            [*HOST_VALUE_KEYS, "updated_at"],
            [(pk, *(values[k] for k in HOST_VALUE_KEYS), now) for pk, values in plan.updates],
            ticker,
        )
        total = len(self.table)
        return {
            "created": len(plan.inserts),
            "updated": len(plan.updates),
            "unchanged": total - len(plan.inserts) - len(plan.updates),
        }


HOST_SHEET = pipeline.register(
    Sheet(
        kind="cooperatives",
        title=_("Cooperatives and other entities"),
        sheet_name="合作社及新经济组织",
        columns=HOST_COLUMNS,
        importer=HostImporter,
        import_permission=Perm.EDIT_ORGANISATION,
        audit_model="organisation.hostentity",
        list_url="organisation:host_list",
        description=_(
            "One row per cooperative, association, enterprise or social organisation, "
            "matched by its unified social credit code: loading a file again changes only "
            "what differs, and an empty cell changes nothing."
        ),
    )
)


def export_hosts(entities: QuerySet) -> Iterator[list[Any]]:
    kinds = TERMS[HostKind]
    rows = entities.order_by("region_code", "name").values_list(
        "registration_number", *HOST_VALUE_KEYS
    )
    for number, name, kind, region, industry, size, year, instructor, last in rows.iterator(
        chunk_size=2000
    ):
        yield [
            number,
            name,
            kinds.get(kind, kind),
            region,
            industry,
            size,
            year if year is not None else "",
            instructor,
            last.isoformat() if last else "",
        ]
