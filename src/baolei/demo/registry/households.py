"""The households of a synthetic register: where they are, why they were poor, their
status history, income and assurances by year, monitoring cases and risks, helpers and
visits.

Apart from the people (`synthetic_people.py`), which `RegisterGenerator` builds on, and
from the writing (`synthetic_writing.py`): it yields plain drafts.
"""

import datetime
import math
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.demo.registry.drafts import CaseDraft, HelperDraft, HouseholdDraft, Village
from baolei.demo.registry.people import PeopleGenerator
from baolei.demo.registry.procedures import KIND, ProcedurePlanner
from baolei.demo.registry.vocabulary import (
    _ACTIONS,
    _ALL_MET,
    _ASSURANCE_NOTES,
    _ATTRIBUTES,
    _ATTRIBUTES_ALONE_OLD,
    _CASE_REASONS,
    _CAUSES,
    _COUNTY_UNITS,
    _FINDINGS_CALM,
    _FINDINGS_RISK,
    _FOLLOW_UPS,
    _HOUSING,
    _MEASURE_TEXT,
    _MEASURES_FOR,
    _POSTS,
    _RISK_OF_CAUSE,
    _RISKS_MARGINAL,
    _RISKS_SUDDEN,
    _ROUTES,
    _SIZES,
    _STATUSES,
    _STRUCTURES,
    _SURNAMES,
    _WORKING,
    ASSURANCE_FIELDS,
    ATTRIBUTE,
    CASE,
    EMPLOYMENT,
    MEASURE,
    MONITORING,
    RISK,
    SAFETY,
    STATUS,
)
from baolei.messages import CodedError, lazy_format

YEARS = range(2020, 2025)  # the income years of the register
DEFAULT_MONITORING_LINE = Decimal("6000")
MAX_HOUSEHOLDS_PER_VILLAGE = 9999  # the household number's 4-digit sequence
HOUSEHOLDS_PER_HELPER = (3, 7)  # a helper is responsible for about five households
_OPEN_CASE = (CASE.IDENTIFYING, CASE.MONITORED)


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` by largest remainders: exact and stable."""
    weight_sum = sum(weights)
    shares = [total * weight / weight_sum for weight in weights]
    counts = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def mean_household_size() -> float:
    return _SIZES.mean()


class RegisterGenerator(PeopleGenerator):
    """Households, one after the other, from one seeded random stream.

    `taken(county)` gives the ID numbers already in the database with that county prefix,
    so that a new number never collides with an existing person.
    """

    def __init__(
        self,
        seed: int,
        as_of: datetime.date,
        *,
        lines: dict[int, Decimal] | None = None,
        full: bool = True,
        taken: Callable[[str], set[str]] | None = None,
    ) -> None:
        super().__init__(seed, as_of)
        self.lines = lines or dict.fromkeys(YEARS, DEFAULT_MONITORING_LINE)
        self.full = full
        self._taken_for = taken or (lambda county: set())
        self._county = ""
        self._helper: HelperDraft | None = None
        self._helper_left = 0
        self.procedures = ProcedurePlanner(seed, as_of)

    def households(self, villages: Sequence[Village], total: int) -> Iterator[HouseholdDraft]:
        """`total` households spread over `villages`, fewer in urban communities."""
        weights = [
            self.rng.lognormvariate(0, 0.5) * (0.3 if v.name.endswith(("居委会", "社区")) else 1)
            for v in villages
        ]
        counts = allocate(total, weights)
        crowded = max(counts, default=0)
        if crowded > MAX_HOUSEHOLDS_PER_VILLAGE:
            raise CodedError(
                "too_many",
                lazy_format(
                    _("%(n)d households would put %(crowded)d in one village; at most %(max)d"),
                    n=total,
                    crowded=crowded,
                    max=MAX_HOUSEHOLDS_PER_VILLAGE,
                ),
            )
        for village, count in zip(villages, counts, strict=True):
            if count and village.code[:6] != self._county:
                self._county = village.code[:6]
                self.ids.enter(self._county, self._taken_for(self._county))
                self._helper, self._helper_left = None, 0
            for sequence in range(1, count + 1):
                yield self.household(village, sequence)

    def date_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        if last <= first:
            return first
        return datetime.date.fromordinal(self.between(first.toordinal(), last.toordinal()))

    def days_ago(self, low: int, high: int) -> datetime.date:
        return datetime.date.fromordinal(self.today - self.between(low, high))

    def household(self, village: Village, sequence: int) -> HouseholdDraft:
        random = self.random
        r = random()
        # A few households are monitored without ever having been registered as poor.
        registered = r >= 0.027
        monitoring = ""
        if not registered:
            monitoring = MONITORING.MARGINAL if r < 0.02 else MONITORING.SUDDEN_HARDSHIP
        size = _SIZES.pick(random)
        family = self.family(size)
        household: dict[str, Any] = {
            "number": f"{village.code}{sequence:04d}",
            "village_id": village.code,
            "address": (
                f"{village.township}{village.name}{self.between(1, 12)}组{self.between(1, 60)}号"
            ),
            "registered_poor": registered,
            "attribute": "",
            "identification_year": None,
            "status": "",
            "status_since": None,
            "main_cause": "",
            "second_cause": "",
            "third_cause": "",
            "housing_area": Decimal(self.between(3000, 6000 + 3000 * size)).scaleb(-2),
            "housing_structure": _STRUCTURES.pick(random),
            "housing_safety": _HOUSING.pick(random),
            "monitoring_type": monitoring,
        }
        draft = HouseholdDraft(household, [])
        if registered:
            self._registered(draft, size, family[0][2], village)
        draft.people = self.people(family, village, household)
        if self.full:
            self._years(draft, size)
            self._monitoring(draft, village)
            self._pairing_and_visits(draft, village)
        return draft

    def _registered(
        self, draft: HouseholdDraft, size: int, head_age: int, village: Village
    ) -> None:
        random, int_ = self.random, self.between
        household = draft.household
        table = _ATTRIBUTES_ALONE_OLD if size == 1 and head_age >= 60 else _ATTRIBUTES
        r = random()
        year = 2014 if r < 0.6 else 2015 if r < 0.8 else 2016
        status = _STATUSES.pick(random)
        main = _CAUSES.pick(random)
        others = list(dict.fromkeys(c for c in (_CAUSES.pick(random), _CAUSES.pick(random))))
        others = [cause for cause in others if cause != main]
        second = others[0] if others and random() < 0.5 else ""
        third = others[1] if second and len(others) > 1 and random() < 0.4 else ""
        household.update(
            attribute=table.pick(random),
            identification_year=year,
            status=status,
            main_cause=main,
            second_cause=second,
            third_cause=third,
        )
        if status == STATUS.RELAPSED or random() < 0.025:
            household["monitoring_type"] = MONITORING.UNSTABLE
        elif random() < 0.003:
            household["monitoring_type"] = MONITORING.SUDDEN_HARDSHIP
        # The status history: identified, lifted out, and perhaps on from there.
        leading_group = f"{village.county_name}扶贫开发领导小组"
        identified = datetime.date(year, int_(4, 10), int_(1, 28))
        changes = [("", STATUS.NOT_LIFTED, identified, leading_group)]
        if status != STATUS.NOT_LIFTED:
            exited = datetime.date(int_(max(year + 1, 2015), 2020), int_(10, 12), int_(1, 28))
            changes.append((STATUS.NOT_LIFTED, STATUS.LIFTED_WITH_POLICY, exited, leading_group))
            if status != STATUS.LIFTED_WITH_POLICY:
                later = self.date_between(
                    datetime.date(2021, 3, 1), min(self.as_of, datetime.date(2024, 12, 31))
                )
                bureau = f"{village.county_name}乡村振兴局"
                changes.append((STATUS.LIFTED_WITH_POLICY, status, later, bureau))
        household["status_since"] = changes[-1][2]
        if self.full:
            draft.changes = [
                {"from_status": old, "to_status": new, "changed_on": day, "decided_by": who}
                for old, new, day, who in changes
            ]

    def _years(self, draft: HouseholdDraft, size: int) -> None:
        """Income and assurances, 2020-2024: most comfortably above the monitoring line,
        monitored households near or under it, and a tail under it not yet flagged."""
        random = self.random
        household = draft.household
        members = [member for _person, member in draft.people]
        workers = sum(m["labour_capacity"] in _WORKING for m in members)
        farming = any(m["employment"] == EMPLOYMENT.FARMING for m in members)
        supported = household["attribute"] not in ("", ATTRIBUTE.ORDINARY)
        last = YEARS[-1]
        line = float(self.lines[last])
        if household["monitoring_type"]:
            level = (0.65 + 0.55 * random()) * line
        elif random() < 0.01:
            level = (0.75 + 0.25 * random()) * line  # under the line and not yet flagged
        else:
            level = 0.0
            while level < 1.05 * line:  # the rest above it: they would be monitored
                level = self.rng.lognormvariate(math.log(11_500), 0.33)
        sudden = household["monitoring_type"] == MONITORING.SUDDEN_HARDSHIP
        per_capita = {}
        for year in reversed(YEARS):
            per_capita[year] = level
            growth = -0.45 if sudden and year == last else 0.03 + 0.08 * random()
            level = max(level / (1 + growth), 4_200.0)  # they stayed above the old line
        unsafe_house = household["housing_safety"] != SAFETY.SAFE
        for year in YEARS:
            row = self._income(year, per_capita[year] * size, size, workers, farming, supported)
            row.update(self._assurances(year == last and unsafe_house))
            draft.years.append(row)

    def _income(
        self, year: int, net: float, size: int, workers: int, farming: bool, supported: bool
    ) -> dict[str, Any]:
        random = self.random
        if workers == 0:
            transfer_share = 0.7 + 0.25 * random()
        else:
            transfer_share = 0.1 + 0.2 * random() + (0.25 if supported else 0)
        production_share = 0.2 + 0.25 * random() if farming else 0.03 + 0.12 * random()
        transfers = round(net * transfer_share)
        property_income = round(net * 0.04 * random())
        production_net = round(net * production_share)
        wages = round(net) - transfers - property_income - production_net
        if wages < 0:
            transfers, wages = transfers + wages, 0
        costs = round(production_net * (0.25 + 0.2 * random()))
        total = wages + production_net + property_income + transfers  # net of costs
        return {
            "year": year,
            "wages": Decimal(wages),
            "production_business": Decimal(production_net + costs),
            "property_income": Decimal(property_income),
            "transfers": Decimal(transfers),
            "production_costs": Decimal(costs),
            "member_count": size,
            "per_capita_net_income": (Decimal(total) / size).quantize(Decimal("0.01")),
        }

    def _assurances(self, unsafe_house: bool) -> dict[str, Any]:
        values = dict(_ALL_MET)
        if unsafe_house:
            values["housing_safety"] = False
        elif self.random() < 0.015:
            values[ASSURANCE_FIELDS[int(self.random() * len(ASSURANCE_FIELDS))]] = False
        values["assurance_notes"] = {
            name: _ASSURANCE_NOTES[name] for name in ASSURANCE_FIELDS if not values[name]
        }
        return values

    def _monitoring(self, draft: HouseholdDraft, village: Village) -> None:
        household = draft.household
        kind = household["monitoring_type"]
        if kind:
            self._current_case(draft, kind, village)
        elif household["registered_poor"] and self.random() < 0.015:
            self._eliminated_case(draft, village)
        elif self.random() < 0.005:
            # A fresh risk that nobody has acted on yet: work for the automatic flagging.
            risk = _RISKS_MARGINAL.pick(self.random)
            draft.risks.append(
                {"kind": risk, "occurred_on": self.days_ago(1, 30), "note": _CASE_REASONS[risk]}
            )

    def _risk_of(self, household: dict) -> str:
        kind = household["monitoring_type"]
        if kind == MONITORING.MARGINAL:
            return _RISKS_MARGINAL.pick(self.random)
        if kind == MONITORING.SUDDEN_HARDSHIP:
            return _RISKS_SUDDEN.pick(self.random)
        return _RISK_OF_CAUSE.get(household["main_cause"], RISK.LOSS_OF_WORK)

    def _current_case(self, draft: HouseholdDraft, kind: str, village: Village) -> None:
        risk = self._risk_of(draft.household)
        identifying = self.random() < 0.12
        if identifying:
            opened = self.days_ago(3, 45)  # some past the 15 days the procedure may take
            identified = None
        else:
            opened = self.date_between(
                datetime.date(2021, 4, 1), self.as_of - datetime.timedelta(days=60)
            )
            identified = opened + datetime.timedelta(days=self.between(7, 20))
        case = CaseDraft(
            {
                "monitoring_type": kind,
                "route": _ROUTES.pick(self.random),
                "status": CASE.IDENTIFYING if identifying else CASE.MONITORED,
                "opened_on": opened,
                "identified_on": identified,
                "eliminated_on": None,
                "reason": _CASE_REASONS[risk],
            }
        )
        if identified is not None:
            case.measures = self._measures(risk, identified, None)
            case.procedures = [
                self.procedures.approved(KIND.MONITORING, opened, identified, village)
            ]
        else:
            case.procedures = [self.procedures.open_identification(opened, village)]
            # Not monitored yet: the household gets its monitoring type when the county
            # approves the identification (procedures._on_approved), as in the register.
            draft.household["monitoring_type"] = ""
        draft.cases.append(case)
        draft.risks.append(
            {
                "kind": risk,
                "occurred_on": opened - datetime.timedelta(days=self.between(0, 30)),
                "note": _CASE_REASONS[risk],
            }
        )

    def _eliminated_case(self, draft: HouseholdDraft, village: Village) -> None:
        risk = self._risk_of(draft.household)
        first = datetime.date(2021, 3, 1)
        opened = self.date_between(first, max(self.as_of - datetime.timedelta(days=560), first))
        identified = opened + datetime.timedelta(days=self.between(7, 20))
        eliminated = identified + datetime.timedelta(days=self.between(200, 500))
        case = CaseDraft(
            {
                "monitoring_type": MONITORING.UNSTABLE,
                "route": _ROUTES.pick(self.random),
                "status": CASE.RISK_ELIMINATED,
                "opened_on": opened,
                "identified_on": identified,
                "eliminated_on": eliminated,
                "reason": _CASE_REASONS[risk],
            },
            self._measures(risk, identified, eliminated),
            [
                self.procedures.approved(KIND.MONITORING, opened, identified, village),
                self.procedures.elimination(identified, eliminated, village),
            ],
        )
        draft.cases.append(case)
        draft.risks.append(
            {
                "kind": risk,
                "occurred_on": opened - datetime.timedelta(days=self.between(0, 30)),
                "note": _CASE_REASONS[risk],
                "resolved_on": eliminated,
            }
        )

    def _measures(
        self, risk: str, identified: datetime.date, ended: datetime.date | None
    ) -> list[dict[str, Any]]:
        kinds = list(_MEASURES_FOR[risk][: self.between(1, 2)])
        if self.random() < 0.3:
            extra = MEASURE.INDUSTRY if self.random() < 0.5 else MEASURE.EMPLOYMENT
            if extra not in kinds:
                kinds.append(extra)
        return [
            {
                "kind": kind,
                "description": _MEASURE_TEXT[kind],
                "started_on": min(
                    identified + datetime.timedelta(days=self.between(0, 30)), self.as_of
                ),
                "ended_on": ended,
            }
            for kind in kinds
        ]

    def _new_helper(self, village: Village) -> HelperDraft:
        """A cadre of a county unit or of the township government."""
        random = self.random
        male = random() < 0.7
        if random() < 0.6:
            unit = village.county_name + _COUNTY_UNITS[int(random() * len(_COUNTY_UNITS))]
            region = village.code[:6]
        else:
            unit = f"{village.township}人民政府"
            region = village.code[:9]
        person = self.person(
            self.between(24, 58),
            male,
            _SURNAMES.pick(random),
            self.ethnicity(village.code[:2]),
            region,
        )
        person["phone"] = self.phone()
        post = _POSTS[int(random() * len(_POSTS))]
        return HelperDraft(person, {"unit": unit, "post": post, "region_code": region})

    def _pairing_and_visits(self, draft: HouseholdDraft, village: Village) -> None:
        """Helpers take the households in village order, three to seven each, so that a
        helper's households are neighbours; most were visited in the last two months."""
        random, int_ = self.random, self.between
        if self._helper_left == 0:
            self._helper = self._new_helper(village)
            self._helper_left = int_(*HOUSEHOLDS_PER_HELPER)
        self._helper_left -= 1
        draft.helper = self._helper
        draft.paired_since = min(
            self.date_between(datetime.date(2021, 1, 1), datetime.date(2023, 12, 31)),
            self.as_of - datetime.timedelta(days=400),
        )
        r = random()
        if r < 0.05:
            return  # not visited in the last twelve months
        if r < 0.15:
            ago, count = int_(61, 300), int_(1, 2)
        else:
            ago, count = int_(0, 60), int_(1, 4)
        # A household whose case is open (monitored, or still being identified) is at risk.
        at_risk = any(case.case["status"] in _OPEN_CASE for case in draft.cases)
        findings = _FINDINGS_RISK if at_risk else _FINDINGS_CALM
        for _i in range(count):
            if ago > 364:
                break
            day = datetime.date.fromordinal(self.today - ago)
            draft.visits.append(
                {
                    "visited_on": day,
                    "findings": findings[int(random() * len(findings))],
                    "actions": _ACTIONS[int(random() * len(_ACTIONS))],
                    "follow_up": _FOLLOW_UPS[int(random() * len(_FOLLOW_UPS))],
                    "recorded_at": timezone.make_aware(
                        datetime.datetime.combine(day, datetime.time(int_(8, 18)))
                    ),
                }
            )
            ago += int_(30, 120)
