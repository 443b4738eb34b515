"""The organisation's sheets, through the shared import pipeline: party organisations
here; cooperatives and the other host entities in `sheets.hosts`, party members in
`sheets.members`, organisation life in `sheets.life`, what they share in
`sheets.common`.

Each importer upserts by a natural key — an organisation by (region, name), an entity by
its unified social credit code, a member by ID number — checks the whole file a column
at a time (one query per column of keys), rejects with row, column and reason, and
writes everything in one transaction or nothing. An empty cell changes nothing, so a
partial file updates only what it names; loading the same file again changes nothing.
The exports write the same columns, so an export (with personal data) can be corrected
and imported again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import scoped
from baolei.imports import pipeline
from baolei.imports.bulk import Ticker, fetch_in, insert_rows, update_rows
from baolei.imports.pipeline import Column, Importer, Sheet, Table, text_parser
from baolei.messages import lazy_format
from baolei.organisation.choices import OrganisationKind, OrganisationStatus
from baolei.organisation.models import HostEntity, PartyOrganisation
from baolei.organisation.services import organisations as services
from baolei.organisation.sheets.common import (
    TERMS,
    People,
    _kept,
    check_people,
    choice,
    parse_credit_code,
    parse_date,
    region_column,
    resolve_regions,
)
from baolei.regions import codes

# From `registry.sheets` rather than `registry.sheets.cells`, where it lives: importing it registers
# the households sheet before this module's, which keeps households first in the upload
# page's list when the URLs import this module before the pipeline discovers the sheets.
from baolei.registry.sheets import id_number_column

# --- organisations -------------------------------------------------------------------------

ORGANISATION_COLUMNS = (
    region_column("region", "所在地区", required=True, aliases=("地区代码", "所在村", "区划代码")),
    Column("name", "组织名称", required=True, parser=text_parser(120), width=30),
    choice("kind", "组织类别", OrganisationKind, width=14, help=_("Required for a new one.")),
    Column(
        "parent",
        "上级党组织",
        parser=text_parser(120),
        width=30,
        help=_("The name of the higher committee or general branch."),
    ),
    Column(
        "host",
        "依托单位统一社会信用代码",
        parser=parse_credit_code,
        text=True,
        width=22,
        help=_("For an organisation built in a cooperative or enterprise: its credit code."),
    ),
    Column("secretary_name", "书记姓名", parser=text_parser(64), width=10),
    id_number_column("secretary_id_number", "书记身份证号", required=False, aliases=()),
    Column("founded_on", "成立日期", parser=parse_date, width=12),
)
ORGANISATION_EXPORT_HEADER = [*(c.header for c in ORGANISATION_COLUMNS), "状态"]


@dataclass
class OrganisationPlan:
    inserts: list[tuple[int, dict]] = field(default_factory=list)  # (row, values)
    updates: list[tuple[int, int, dict]] = field(default_factory=list)  # (row, pk, values)
    parents: dict[int, str] = field(default_factory=dict)  # row → parent name
    people: People = field(default_factory=People)
    secretaries: dict[int, str] = field(default_factory=dict)  # row → id number


class OrganisationImporter(Importer):
    def validate(self, table: Table) -> OrganisationPlan | None:
        regions = resolve_regions(self, table, "region")
        names = table.column("name")
        keys: dict[tuple[str, str], int] = {}
        for index, name in enumerate(names):
            if index in regions and name:
                key = (regions[index], name)
                if key in keys:
                    self.reject(
                        index,
                        "name",
                        lazy_format(
                            _("The organisation is already on row %(row)d."),
                            row=table.numbers[keys[key]],
                        ),
                    )
                else:
                    keys[key] = index
        existing = self._existing(keys)
        hosts = self._hosts(table, regions)
        plan = OrganisationPlan()
        secretaries = self._secretaries(table, regions, plan)
        led_here = scoped(PartyOrganisation.objects.all(), self.context.scope)
        plan.people = check_people(
            self,
            table,
            secretaries,
            "secretary_id_number",
            "secretary_name",
            held=(led_here, "secretary"),
        )
        file_parents = {
            name: code
            for (code, name), i in keys.items()
            if table.value("kind", i) in services.PARENT_KINDS
        }
        parents = self._parents(table, regions, file_parents)
        for (code, name), index in keys.items():
            values = {
                "kind": table.value("kind", index),
                "founded_on": table.value("founded_on", index),
                "host_entity_id": hosts.get(index),
            }
            if values["founded_on"] and values["founded_on"] > self.context.today:
                self.reject(index, "founded_on", _("The date is in the future."))
            if index in parents:
                plan.parents[index] = parents[index]
            current = existing.get((code, name))
            if current is None:
                if values["kind"] is None:
                    self.reject(index, "kind", _("Required for a new organisation."))
                if not services.may_set_up(self.context.scope):
                    self.reject(
                        index,
                        "name",
                        _("A new party organisation is set up by the township or the county."),
                    )
                plan.inserts.append((index, {"region_code": code, "name": name, **values}))
            else:
                plan.updates.append((index, current, values))
        return None if self.errors else plan

    def _existing(self, keys: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
        names = {name for _code, name in keys}
        found = fetch_in(
            PartyOrganisation.objects.values_list("region_code", "name", "pk"), "name", names
        )
        return {(code, name): pk for code, name, pk in found}

    def _hosts(self, table: Table, regions: dict[int, str]) -> dict[int, int]:
        wanted = {text for text in table.column("host") if text}
        entities = {
            number: (pk, region)
            for pk, number, region in fetch_in(
                HostEntity.objects.values_list("pk", "registration_number", "region_code"),
                "registration_number",
                wanted,
            )
        }
        found: dict[int, int] = {}
        for index, number in enumerate(table.column("host")):
            if not number:
                continue
            entity = entities.get(number)
            if entity is None:
                self.reject(
                    index,
                    "host",
                    lazy_format(_("No entity has the credit code %(code)s."), code=number),
                )
            elif index in regions and not codes.contains(regions[index], entity[1]):
                self.reject(index, "host", _("The entity is not in the organisation's region."))
            else:
                found[index] = entity[0]
        return found

    def _secretaries(self, table: Table, regions: dict[int, str], plan: OrganisationPlan):
        rows = {}
        for index, (name, parsed) in enumerate(
            zip(table.column("secretary_name"), table.column("secretary_id_number"), strict=True)
        ):
            if bool(name) != bool(parsed):
                if name is not None or parsed is not None:
                    key = "secretary_id_number" if name else "secretary_name"
                    self.reject(index, key, _("Give the secretary's ID number and name together."))
                continue
            if name and parsed and index in regions:
                rows[index] = (parsed.number, name, parsed, regions[index])
                plan.secretaries[index] = parsed.number
        return rows

    def _parents(
        self, table: Table, regions: dict[int, str], file_names: dict[str, str]
    ) -> dict[int, str]:
        """Row → the parent's name, when a committee or general branch of that name lies
        in a region above the row's (in the register or earlier in the file)."""
        wanted = {text for text in table.column("parent") if text}
        registered: dict[str, list[tuple[str, str]]] = {}
        for name, code, kind in fetch_in(
            PartyOrganisation.objects.filter(status=OrganisationStatus.ACTIVE).values_list(
                "name", "region_code", "kind"
            ),
            "name",
            wanted,
        ):
            registered.setdefault(name, []).append((code, kind))
        found = {}
        for index, name in enumerate(table.column("parent")):
            if not name or index not in regions:
                continue
            places = [
                code for code, kind in registered.get(name, []) if kind in services.PARENT_KINDS
            ]
            if name in file_names:
                places.append(file_names[name])
            places = [code for code in places if codes.contains(code, regions[index])]
            if len(set(places)) != 1:
                self.reject(
                    index,
                    "parent",
                    lazy_format(
                        _("No single committee or general branch %(name)s above this region."),
                        name=name,
                    ),
                )
            else:
                found[index] = name
        return found

    def load(self, plan: OrganisationPlan, progress) -> dict[str, int]:
        ticker = Ticker(len(self.table), len(plan.inserts) + len(plan.updates), progress)
        people = plan.people.write(lambda n: None)
        now = timezone.now()
        fields = ["region_code", "name", "kind", "founded_on", "host_entity_id", "secretary_id"]
        rows = []
        for index, values in plan.inserts:
            secretary = people.get(plan.secretaries.get(index, ""))
            rows.append([*(values[f] for f in fields[:5]), secretary])
        keys = insert_rows(
            PartyOrganisation,
            [*fields, "status", "created_at"],
            [[*r, "active", now] for r in rows],
            ticker,
        )
        pks = {index: pk for (index, _values), pk in zip(plan.inserts, keys, strict=True)}
        current = {
            row[0]: row
            for row in fetch_in(
                PartyOrganisation.objects.values_list(
                    "pk", "kind", "founded_on", "host_entity_id", "secretary_id", "parent_id"
                ),
                "id",
                [pk for _index, pk, _values in plan.updates],
            )
        }
        changed = []
        for index, pk, values in plan.updates:
            pks[index] = pk
            _pk, kind, founded, host, secretary, _parent = current[pk]
            new = (
                _kept(values["kind"], kind),
                _kept(values["founded_on"], founded),
                _kept(values["host_entity_id"], host),
                _kept(people.get(plan.secretaries.get(index, "")), secretary),
            )
            if new != (kind, founded, host, secretary):
                changed.append((pk, *new, now))
        update_rows(
            PartyOrganisation,
            ["kind", "founded_on", "host_entity_id", "secretary_id", "updated_at"],
            changed,
            ticker,
        )
        moved = self._set_parents(plan, pks, now)
        return {
            "created": len(plan.inserts),
            "updated": len({pk for pk, *_ in changed} | moved),
            "unchanged": len(plan.updates) - len({pk for pk, *_ in changed} | moved),
            "people_created": len(plan.people.new),
        }

    def _set_parents(self, plan: OrganisationPlan, pks: dict[int, int], now) -> set[int]:
        names = set(plan.parents.values())
        candidates = list(
            PartyOrganisation.objects.filter(
                name__in=names, kind__in=services.PARENT_KINDS, status=OrganisationStatus.ACTIVE
            ).values_list("pk", "name", "region_code")
        )
        regions = dict(
            PartyOrganisation.objects.filter(pk__in=pks.values()).values_list("pk", "region_code")
        )
        parents_now = dict(
            PartyOrganisation.objects.filter(pk__in=pks.values()).values_list("pk", "parent_id")
        )
        rows = []
        for index, name in plan.parents.items():
            pk = pks[index]
            parent = next(
                (
                    p
                    for p, n, code in candidates
                    if n == name and codes.contains(code, regions[pk]) and p != pk
                ),
                None,
            )
            if parent is not None and parents_now.get(pk) != parent:
                rows.append((pk, parent, now))
        update_rows(PartyOrganisation, ["parent_id", "updated_at"], rows, lambda n: None)
        return {pk for pk, *_ in rows}

    def audit_details(self, plan: OrganisationPlan) -> dict[str, Any]:
        return {"organisations": len(plan.inserts) + len(plan.updates)}


ORGANISATION_SHEET = pipeline.register(
    Sheet(
        kind="organisations",
        title=_("Party organisations"),
        sheet_name="党组织",
        columns=ORGANISATION_COLUMNS,
        importer=OrganisationImporter,
        import_permission=Perm.EDIT_ORGANISATION,
        audit_model="organisation.partyorganisation",
        list_url="organisation:organisation_list",
        description=_(
            "One row per organisation, matched by region and name: loading a file again "
            "changes only what differs, and an empty cell changes nothing. A status change "
            "(merger, dissolution) is a decision recorded on the organisation's page."
        ),
    )
)


def export_organisations(organisations: QuerySet, reveal: bool) -> Iterator[list[Any]]:
    kinds, statuses = TERMS[OrganisationKind], TERMS[OrganisationStatus]
    rows = organisations.order_by("region_code", "name").values_list(
        "region_code",
        "name",
        "kind",
        "parent__name",
        "host_entity__registration_number",
        "secretary__name",
        "secretary__id_number",
        "founded_on",
        "status",
    )
    for code, name, kind, parent, host, sec_name, sec_id, founded, status in rows.iterator(
        chunk_size=2000
    ):
        shown_id = (sec_id if reveal else idnumbers.mask(sec_id)) if sec_id else ""
        yield [
            code,
            name,
            kinds.get(kind, kind),
            parent or "",
            host or "",
            sec_name or "",
            shown_id,
            founded.isoformat() if founded else "",
            statuses.get(status, status),
        ]


# The app's other sheets register themselves when imported; `pipeline.sheets()` finds
# only this module, so it brings them along. Registration order is the order of the
# upload page's list: cooperatives first, as when they were defined in this module.
from baolei.organisation.sheets import hosts as sheets_hosts  # noqa: E402, F401

# isort: split
from baolei.organisation.sheets import life as sheets_grading  # noqa: E402, F401
