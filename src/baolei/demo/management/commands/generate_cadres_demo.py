from baolei.demo import cadres as synthetic
from baolei.demo.command import DemoCommand


class Command(DemoCommand):
    help = (
        "Generate the cadres demo over a county whose register demo exists: cadres (many "
        "of them the register's helpers), assessments, entered achievements, a few "
        "disciplinary records and commendations, and a village leader pool in every "
        "township. A county that already has cadres is left alone."
    )
    generate = synthetic.generate_demo
    left_alone = "Region {region} already has cadres: left alone."
    as_of_help = "the reference date of assessments and steps (default: today)"
