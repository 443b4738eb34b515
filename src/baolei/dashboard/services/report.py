"""The village one-page report (村级作战图): a village's inputs (branch, grade, the two
committees, the work team and first secretary, talent and studios) beside its outcomes
(the register, monitoring and every registered indicator with its unit), on one page —
as HTML to print, as a PDF drawn by WeasyPrint from the same template, and as rows for
a workbook.

Everything is read in the viewer's scope: the village figures through
`village.village_summary`, the indicators from the stored roll-ups (`figures`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from baolei.accounts.scope import Scope, scoped
from baolei.dashboard.models import RefreshState
from baolei.dashboard.services import figures, ranking
from baolei.dashboard.services.village import Figure, VillageSummary, village_summary
from baolei.organisation.choices import CommitteePostKind
from baolei.organisation.models import CommitteePost
from baolei.organisation.services.composition import current_posts
from baolei.regions.models import Region
from baolei.talent.choices import RequestStatus
from baolei.talent.models import ServedVillage, ServiceRequest, Talent

TEMPLATE = "dashboard/report.html"
# A village counts itself once: the regions' own figures say nothing on its page.
SKIPPED_CAPABILITIES = {"regions"}


@dataclass(frozen=True)
class Post:
    """One current holder of a post of the two committees, as the report lists them."""

    post: str
    name: str
    sex: str
    age: int | None
    education: str
    since: datetime.date


@dataclass(frozen=True)
class Line:
    """One indicator as printed: its name, value, unit and, when yearly, last year's."""

    name: str
    shown: str
    unit: str
    previous: str = ""
    definition: str = ""


@dataclass
class Block:
    label: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class VillageReport:
    region: Region
    township: Region | None
    county: Region | None
    today: datetime.date
    year: int
    summary: VillageSummary
    committee: list[Post]
    talent: list[Figure]
    studios: list[str]
    indicators: list[Block]
    as_of: datetime.datetime | None

    @property
    def title(self) -> str:
        return _("%(village)s one-page report") % {"village": self.region.name}


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def committee(scope: Scope, code: str, today: datetime.date) -> list[Post]:
    """The posts of the village's two committees held today, secretary first."""
    posts = (
        scoped(CommitteePost.objects.all(), scope)
        .filter(current_posts(today), region_code=code)
        .select_related("person")
        .order_by("started_on", "pk")
    )
    # In the order the posts are declared (secretary, chair …), not alphabetically.
    order = {value: n for n, value in enumerate(CommitteePostKind.values)}
    rows = sorted(posts, key=lambda p: order.get(p.kind, len(order)))
    return [
        Post(
            post=post.get_kind_display(),
            name=post.person.name,
            sex=post.person.get_sex_display(),
            age=_age(post.person.birth_date, today) if post.person.birth_date else None,
            education=post.get_education_display() if post.education else "—",
            since=post.started_on,
        )
        for post in rows
    ]


def talent(scope: Scope, code: str) -> tuple[list[Figure], list[str]]:
    """The village's talent and studio service: counts, and the studios serving it."""
    people = scoped(Talent.objects.all(), scope).filter(region_code=code)
    requests = scoped(ServiceRequest.objects.all(), scope).filter(region_code=code)
    lines = [
        Figure(_("Talent in the pool"), people.count(), testid="talent"),
        Figure(_("Service requests"), requests.count(), testid="requests"),
        Figure(
            _("Service requests not yet concluded"),
            requests.exclude(status=RequestStatus.CLOSED).count(),
            testid="requests-open",
        ),
    ]
    # Which studios serve the village is a fact of the village (in scope), even where
    # the studio is hosted by the county above the viewer: its name only, no link.
    studios = list(
        ServedVillage.objects.filter(village_id=code)
        .order_by("studio__name")
        .values_list("studio__name", flat=True)
    )
    return lines, studios


def indicator_blocks(code: str, year: int) -> list[Block]:
    """Every registered indicator's value at the village, by capability, with its unit;
    the breakdowns (cause, attribute …) after the headline figures, only where not 0."""
    blocks = []
    for section in ranking.sections(figures.region_values(code, year=year)):
        if section.capability in SKIPPED_CAPABILITIES:
            continue
        block = Block(section.label)
        for card in section.cards:
            block.lines.append(_line(card))
        for breakdown in section.breakdowns:
            shown = [card for card in breakdown.cards if card.value.value]
            block.lines.extend(_line(card, prefix=f"{breakdown.label}: ") for card in shown)
        blocks.append(block)
    return blocks


def _line(card: ranking.Card, prefix: str = "") -> Line:
    indicator = card.indicator
    previous = card.value.previous if indicator.yearly else None
    return Line(
        name=f"{prefix}{indicator.name}",
        shown=card.shown,
        unit=str(indicator.unit),
        previous="" if previous is None else ranking.number(previous),
        definition=str(indicator.definition),
    )


def village_report(
    scope: Scope, village: Region, today: datetime.date | None = None
) -> VillageReport:
    """The report of `village` as `scope` may see it. The caller has checked that the
    village is in the scope (`get_in_scope` on Region)."""
    today = today or timezone.localdate()
    year = figures.this_year(today)
    # The names above the village head the page: names of places, not records.
    above = {r.level: r for r in Region.objects.filter(code__in=village.ancestor_codes())}
    lines, studios = talent(scope, village.code)
    state = RefreshState.objects.first()
    return VillageReport(
        region=village,
        township=above.get(4),
        county=above.get(3),
        today=today,
        year=year,
        summary=village_summary(scope, village.code, today),
        committee=committee(scope, village.code, today),
        talent=lines,
        studios=studios,
        indicators=indicator_blocks(village.code, year),
        as_of=state.refreshed_at if state else None,
    )


def report_html(report: VillageReport, *, pdf: bool = False) -> str:
    """The report page; for the PDF without the screen's toolbar and links."""
    return render_to_string(TEMPLATE, {"report": report, "pdf": pdf})


def report_pdf(report: VillageReport) -> bytes:
    """The report as an A4 PDF, drawn by WeasyPrint from the page's own template. The
    template carries its styles inline and loads nothing, so nothing is fetched."""
    import weasyprint  # loads Pango: only where a PDF is made

    return weasyprint.HTML(string=report_html(report, pdf=True)).write_pdf()


def file_stem(report: VillageReport) -> str:
    """`村级作战图-山川台社区居委会-420222100001-20261204`: one name in every language."""
    return f"村级作战图-{report.region.name}-{report.region.code}-{report.today:%Y%m%d}"
