from baolei.demo import talent as synthetic
from baolei.demo.command import DemoCommand


class Command(DemoCommand):
    help = (
        "Generate the talent demo over the real villages of a county: the talent pool in "
        "every township, two studios with service requests, training courses with "
        "enrolments. A county that already has talent is left alone."
    )
    generate = synthetic.generate_demo
    left_alone = "Region {region} already has talent data: left alone."
    as_of_help = "the reference date of the steps and requests (default: today)"
