"""The procedures of a synthetic register's monitoring cases, step by step and dated.

A case being identified has its identification procedure open, with the steps done so
far: the risk alert on the day the case opened, then one step every few days, some
stalled on the way (the "open longer than 15 days" list has work to show), never the
county's approval (that would have made the case monitored). A monitored case's
identification was approved on the day it was included; a case whose risk was eliminated
also has its approved risk-elimination procedure. Each step is recorded by who records
it (`procedures.STEP_LEVELS`): the village, the township government or the county bureau.

The dates come from a random stream of their own, seeded from the register's seed: the
rest of the register is the same row for row as without procedures.
"""

import datetime
import random
from typing import Any

from django.utils import timezone

from baolei.demo.registry.drafts import ProcedureDraft, Village
from baolei.regions.models import Level
from baolei.registry.models import Procedure
from baolei.registry.services.procedures import STEP_LEVELS, STEPS

KIND = Procedure.Kind
OUTCOME = Procedure.Outcome
DAYS_BETWEEN_STEPS = (1, 6)
STALLED = 0.3  # the share of open identifications that stopped at some step
ELIMINATION_DAYS = (10, 40)  # how long a risk elimination takes


class ProcedurePlanner:
    def __init__(self, seed: int, as_of: datetime.date) -> None:
        self.rng = random.Random(f"{seed}:procedures")
        self.as_of = as_of

    def open_identification(self, opened: datetime.date, village: Village) -> ProcedureDraft:
        """The identification of a case opened on `opened`, still open on `as_of`."""
        rng = self.rng
        sequence = STEPS[KIND.MONITORING][:-1]  # the county's approval would close it
        last = len(sequence) if rng.random() >= STALLED else rng.randint(1, len(sequence))
        steps, day = [], opened
        for index, (code, _label) in enumerate(sequence[:last]):
            if index:
                day += datetime.timedelta(days=rng.randint(*DAYS_BETWEEN_STEPS))
            if day > self.as_of:
                break
            steps.append(self._step(KIND.MONITORING, code, day, village))
        procedure = {"kind": KIND.MONITORING, "started_on": opened, "outcome": OUTCOME.OPEN}
        return ProcedureDraft(procedure, steps)

    def approved(
        self, kind: str, started: datetime.date, completed: datetime.date, village: Village
    ) -> ProcedureDraft:
        """A procedure from `started` to its last step, approved, on `completed`."""
        sequence = STEPS[kind]
        span = (completed - started).days
        offsets = sorted(self.rng.randint(0, span) for _step in sequence[1:-1])
        days = [started, *(started + datetime.timedelta(days=o) for o in offsets), completed]
        steps = [
            self._step(kind, code, day, village)
            for (code, _label), day in zip(sequence, days, strict=True)
        ]
        procedure = {
            "kind": kind,
            "started_on": started,
            "completed_on": completed,
            "outcome": OUTCOME.APPROVED,
        }
        return ProcedureDraft(procedure, steps)

    def elimination(
        self, identified: datetime.date, eliminated: datetime.date, village: Village
    ) -> ProcedureDraft:
        days = self.rng.randint(*ELIMINATION_DAYS)
        started = max(identified, eliminated - datetime.timedelta(days=days))
        return self.approved(KIND.RISK_ELIMINATION, started, eliminated, village)

    def _step(self, kind: str, code: str, day: datetime.date, village: Village) -> dict[str, Any]:
        level = STEP_LEVELS.get((kind, code))
        if level == Level.COUNTY:
            actor = f"{village.county_name}乡村振兴局"
        elif level == Level.TOWNSHIP:
            actor = f"{village.township}人民政府"
        else:
            actor = village.name
        hour = datetime.time(self.rng.randint(8, 18))
        return {
            "step": code,
            "done_on": day,
            "actor_name": actor,
            "recorded_at": timezone.make_aware(datetime.datetime.combine(day, hour)),
        }
