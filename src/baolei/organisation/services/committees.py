"""The two committees of a village (村两委): elections and the terms of the posts'
holders. Same conventions as `services`."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei.messages import lazy_format
from baolei.organisation.choices import CommitteePostKind, ElectionKind, HolderSource
from baolei.organisation.models import CommitteePost, Election
from baolei.organisation.services.common import (
    OrganisationError,
    _choice,
    _clean,
    _end_period,
    _in_scope,
    _not_future,
    _person,
    _region,
)
from baolei.regions.models import Level

# The posts one person holds alone in a village; a new holder ends the current term.
SINGLE_POSTS = {
    CommitteePostKind.SECRETARY: {
        CommitteePostKind.SECRETARY,
        CommitteePostKind.SECRETARY_AND_CHAIR,
    },
    CommitteePostKind.CHAIR: {CommitteePostKind.CHAIR, CommitteePostKind.SECRETARY_AND_CHAIR},
    CommitteePostKind.SECRETARY_AND_CHAIR: {
        CommitteePostKind.SECRETARY,
        CommitteePostKind.CHAIR,
        CommitteePostKind.SECRETARY_AND_CHAIR,
    },
}


# --- the two committees ------------------------------------------------------------------


@transaction.atomic
def do_record_election(
    actor,
    *,
    region_code: str,
    held_on: datetime.date,
    kind: str = ElectionKind.GENERAL,
    note: str = "",
) -> Election:
    village = _region(region_code, actor, level=Level.VILLAGE)
    _not_future(held_on, "held_on")
    election = Election(
        region_code=village.code,
        held_on=held_on,
        kind=_choice(kind, ElectionKind, "kind"),
        note=note or "",
    )
    _clean(election)
    election.save()
    return election


@transaction.atomic
def do_appoint_committee_post(
    actor,
    *,
    region_code: str,
    kind: str,
    id_number: str,
    name: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    education: str = "",
    source: str = HolderSource.OTHER,
    election: Election | None = None,
) -> CommitteePost:
    """A person takes a post of a village's two committees. The secretary's and the
    chair's posts have one holder: the current holder's term ends the day the new one
    starts (a secretary-and-chair ends both)."""
    village = _region(region_code, actor, level=Level.VILLAGE)
    kind = _choice(kind, CommitteePostKind, "kind")
    if started_on is None:
        raise OrganisationError("required", _("Enter the start of the term."), field="started_on")
    _not_future(started_on, "started_on")
    if ended_on is not None and ended_on < started_on:
        raise OrganisationError(
            "end_before_start", _("The term cannot end before it starts."), field="ended_on"
        )
    if election is not None and election.region_code != village.code:
        raise OrganisationError(
            "election_village", _("The election is not this village's."), field="election"
        )
    person = _person(actor, id_number, name, village.code)
    current = CommitteePost.objects.select_for_update().filter(
        region_code=village.code, ended_on__isnull=True
    )
    if current.filter(person=person, kind=kind).exists():
        raise OrganisationError(
            "already_holds",
            lazy_format(_("%(name)s already holds this post."), name=person.name),
            field="id_number",
        )
    if ended_on is None:
        for post in current.filter(kind__in=SINGLE_POSTS.get(kind, ())):
            _end_period(
                post,
                started_on,
                "before_current",
                lazy_format(
                    _("The current term began on %(date)s; the new one cannot begin earlier."),
                    date=post.started_on.isoformat(),
                ),
                field="started_on",
            )
    post = CommitteePost(
        region_code=village.code,
        kind=kind,
        person=person,
        education=education or "",
        source=_choice(source or HolderSource.OTHER, HolderSource, "source"),
        started_on=started_on,
        ended_on=ended_on,
        election=election,
    )
    _clean(post, exclude=["person", "election"])
    post.save()
    return post


@transaction.atomic
def do_end_committee_post(
    actor, post: CommitteePost, ended_on: datetime.date | None = None
) -> CommitteePost:
    post = CommitteePost.objects.select_for_update().get(pk=post.pk)
    _in_scope(actor, post.region_code, "region_code")
    ended_on = ended_on or timezone.localdate()
    if post.ended_on is not None:
        raise OrganisationError("already_ended", _("This term has already ended."))
    _not_future(ended_on, "ended_on")
    _end_period(post, ended_on, "end_before_start", _("The term cannot end before it starts."))
    return post
