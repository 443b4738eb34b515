"""The plain values between the generator and the writer: a household's draft (its
people, years, status changes, cases with their procedures, risks, helper and visits) and
the counts of what was written.

Apart from both so that neither depends on the other: the generator makes drafts, the
writer turns them into rows.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township: str  # its township's name, for the address
    county_name: str


@dataclass(eq=False)
class HelperDraft:
    person: dict[str, Any]
    helper: dict[str, Any]
    pk: int | None = None  # set by the writer when it writes the helper


@dataclass(eq=False)
class ProcedureDraft:
    procedure: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)  # in order


@dataclass(eq=False)
class CaseDraft:
    case: dict[str, Any]
    measures: list[dict[str, Any]] = field(default_factory=list)
    procedures: list[ProcedureDraft] = field(default_factory=list)


@dataclass(eq=False)
class HouseholdDraft:
    household: dict[str, Any]
    people: list[tuple[dict[str, Any], dict[str, Any]]]  # (person, member); the head first
    years: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    cases: list[CaseDraft] = field(default_factory=list)
    risks: list[dict[str, Any]] = field(default_factory=list)
    helper: HelperDraft | None = None
    paired_since: datetime.date | None = None
    visits: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Counts:
    households: int = 0
    people: int = 0
    members: int = 0
    helpers: int = 0
    years: int = 0
    status_changes: int = 0
    monitored: int = 0
    cases: int = 0
    measures: int = 0
    procedures: int = 0
    procedure_steps: int = 0
    risk_events: int = 0
    pairings: int = 0
    visits: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}
