"""The register's lists: households not visited, helpers with overdue visits, the search,
and keyset pages.

Set-based (subqueries and annotations on the caller's queryset), never a query per row,
so that they hold at the size of a national register. Read-only, and so apart from the
write paths; `services.filter_households` builds on them.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from baolei import idnumbers
from baolei.registry.models import Helper, Household, Member, Visit

PAGE_SIZE = 50


def _visited_since(cutoff: datetime.date):
    return Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=cutoff))


def last_visit_subquery() -> Subquery:
    return Subquery(
        Visit.objects.filter(household=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )


def households_not_visited(
    queryset: QuerySet[Household], days: int, today: datetime.date
) -> QuerySet[Household]:
    """Households with no visit in the last `days` days (a visit on `today - days` still
    counts), those never visited included; each annotated with `last_visited_on`."""
    cutoff = today - datetime.timedelta(days=days)
    return queryset.filter(~_visited_since(cutoff)).annotate(last_visited_on=last_visit_subquery())


def helpers_with_overdue_visits(
    queryset: QuerySet[Household], days: int, today: datetime.date
) -> QuerySet[Helper]:
    """Helpers currently paired with at least one household of `queryset` (the caller's
    scoped households) that nobody has visited in `days` days, each annotated with the
    number of such households as `overdue_households`, most overdue first.

    One grouped query: the filter on the pairings and the count use the same join."""
    cutoff = today - datetime.timedelta(days=days)
    overdue = queryset.filter(~_visited_since(cutoff)).values("pk")
    return (
        Helper.objects.filter(pairings__ended_on__isnull=True, pairings__household__in=overdue)
        .annotate(overdue_households=Count("pairings"))
        .select_related("person")
        .order_by("-overdue_households", "person__name", "pk")
    )


def _looks_like_id_number(text: str) -> bool:
    return len(text) == idnumbers.LENGTH and all(c in idnumbers.DIGITS + "X" for c in text)


def household_search(queryset: QuerySet[Household], text: str) -> QuerySet[Household]:
    """Households matching `text`: by household number (exact or prefix), by a member's
    name (exact or prefix) or by a member's full ID number (exact, after normalising
    full-width digits and a lower-case x). Every branch is an indexed lookup; partial ID
    numbers are not searched, since no index could answer them."""
    text = " ".join((text or "").split())
    if not text:
        return queryset
    condition = Q(number__startswith=text)
    normalised = idnumbers.normalise(text)
    if _looks_like_id_number(normalised):
        by_id = Member.objects.filter(person__id_number=normalised).values("household_id")
        condition |= Q(pk__in=by_id)
    if not normalised.isdigit():
        by_name = Member.objects.filter(person__name__startswith=text).values("household_id")
        condition |= Q(pk__in=by_name)
    return queryset.filter(condition)


# --- keyset pagination ------------------------------------------------------------------


@dataclass
class KeysetPage:
    """One page of households in (village, number) order, with cursors for the pages on
    either side (None when there is none). No COUNT and no OFFSET: each page is an index
    seek, as fast on page 10,000 as on page 1."""

    items: list[Household]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _encode_key(key: tuple[str, str]) -> str:
    raw = json.dumps(list(key), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def encode_cursor(household: Household) -> str:
    return _encode_key(_key(household))


def decode_cursor(cursor: str | None) -> tuple[str, str] | None:
    """The (village, number) key of a cursor, None for a missing or damaged one (which
    then shows the first page rather than an error)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        village, number = json.loads(raw.decode())
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(village, str) or not isinstance(number, str):
        return None
    return village, number


def _after(key: tuple[str, str]) -> Q:
    # `village >= v` first, so that the database seeks straight to the village in the
    # (village, number) index instead of scanning from the start and discarding.
    village, number = key
    return Q(village_id__gte=village) & (Q(village_id__gt=village) | Q(number__gt=number))


def _before(key: tuple[str, str]) -> Q:
    village, number = key
    return Q(village_id__lte=village) & (Q(village_id__lt=village) | Q(number__lt=number))


def _key(household: Household) -> tuple[str, str]:
    return household.village_id, household.number


def household_page(
    queryset: QuerySet[Household],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """The page after the `after` cursor, or the one before `before`, or the first.

    A cursor that leads nowhere (damaged, or the rows around it deleted since) gives the
    first page. Whether a page exists on the other side is one `EXISTS` index probe."""
    size = max(1, min(size, 500))
    before_key = decode_cursor(before)
    after_key = None if before_key else decode_cursor(after)
    items: list[Household] = []
    if before_key:
        backwards = queryset.filter(_before(before_key)).order_by("-village_id", "-number")
        rows = list(backwards[: size + 1])
        items = rows[:size][::-1]
        has_previous = len(rows) > size
        has_next = bool(items) and queryset.filter(_after(_key(items[-1]))).exists()
    elif after_key:
        rows = list(queryset.filter(_after(after_key)).order_by("village_id", "number")[: size + 1])
        items = rows[:size]
        has_next = len(rows) > size
        has_previous = bool(items) and queryset.filter(_before(_key(items[0]))).exists()
    if not items:
        rows = list(queryset.order_by("village_id", "number")[: size + 1])
        items = rows[:size]
        has_next, has_previous = len(rows) > size, False
    return KeysetPage(
        items=items,
        next_cursor=encode_cursor(items[-1]) if has_next else None,
        previous_cursor=encode_cursor(items[0]) if has_previous else None,
    )
