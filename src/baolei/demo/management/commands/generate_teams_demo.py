from baolei.demo import teams as synthetic_teams
from baolei.demo.command import DemoCommand


class Command(DemoCommand):
    help = (
        "Generate the work-teams demo over a county whose cadres demo exists: 60 work teams "
        "with first secretaries, duties, a year of attendance, leave requests, village main "
        "industries, selection rules and a candidate pool for matching. A county that "
        "already has work teams is left alone."
    )
    generate = synthetic_teams.generate_demo
    left_alone = "Region {region} already has work teams: left alone."
