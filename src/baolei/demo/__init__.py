"""The synthetic demo data of a county, reproducible from a seed: the register
(`demo.registry`), the party organisation (`demo.organisation`), grading, weak branches
and organisation life (`demo.grading`), cadres (`demo.cadres`), work teams (`demo.teams`)
and talent (`demo.talent`). `baolei setup-demo` runs them in that order through the
`generate-*` commands, each of which refuses a county that already has its part.

Every generator dates what it makes from one reference date, `REFERENCE_DATE` unless the
command is given `--as-of`: the same seed gives the same data whatever day it runs.
"""

import datetime

REFERENCE_DATE = datetime.date(2026, 11, 30)
