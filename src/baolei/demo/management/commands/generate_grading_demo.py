from baolei.demo import grading as synthetic_grading
from baolei.demo.command import DemoCommand


class Command(DemoCommand):
    help = (
        "Generate demo branch grading, weak branches with rectification tasks and "
        "organisation life for a county, after the organisation demo (it needs the village "
        "branches). A county that already has a grading checklist is left alone."
    )
    generate = synthetic_grading.generate_demo
    left_alone = (
        "Nothing generated for {region}: it already has a grading checklist, or it has no "
        "village branches yet (run the organisation demo first)."
    )
    as_of_help = "the reference date (default: today): grades are of the year before"
