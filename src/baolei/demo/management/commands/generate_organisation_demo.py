from baolei.demo import organisation as synthetic
from baolei.demo.command import DemoCommand


class Command(DemoCommand):
    help = (
        "Generate the demo party organisation system of a county (organisations, host "
        "entities, members, household links, two committees), reproducibly from a seed. "
        "Run it after the register; a county that has organisations is left alone."
    )
    generate = synthetic.generate_demo
    left_alone = "Region {region} already has party organisations: left alone."
