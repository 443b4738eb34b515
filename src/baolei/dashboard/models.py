"""The command centre's stored figures.

`Fact` holds each measure counted at the region code its records carry; `RollUp` holds
the same summed over a region and everything below it, for every level from the nation
(code "") down to the village, so a page reads a region and its children with one
indexed query. `DirtyRegion` is the queue of codes whose facts a write has moved: the
database's own triggers fill it in the writing transaction, the refresher empties it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Fact(models.Model):
    region_code = models.CharField(_("region code"), max_length=12)
    measure = models.CharField(_("measure"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"), default=0)  # 0: the present state
    value = models.BigIntegerField(_("value"))

    class Meta:
        verbose_name = _("fact")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "measure", "year"], name="dashboard_fact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code or '—'} {self.measure} {self.year}: {self.value}"


class RollUp(models.Model):
    region_code = models.CharField(_("region code"), max_length=12)  # "" is the nation
    # NULL only for the nation: "" is the nation's own code, the provinces' parent.
    parent_code = models.CharField(_("parent code"), max_length=12, null=True)  # noqa: DJ001
    level = models.PositiveSmallIntegerField(_("level"))  # 0 nation … 5 village
    measure = models.CharField(_("measure"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"), default=0)
    value = models.BigIntegerField(_("value"))

    class Meta:
        verbose_name = _("roll-up")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "measure", "year"], name="dashboard_rollup_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["parent_code", "measure", "year"], name="dashboard_rollup_children"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code or '—'} {self.measure} {self.year}: {self.value}"


class DirtyRegion(models.Model):
    """A region code a committed write has touched and the refresher has not yet
    recounted. Rows are only ever inserted (by triggers) and deleted by id (by the
    refresher), so a write that commits while a refresh runs is never lost."""

    region_code = models.CharField(_("region code"), max_length=12, db_index=True)

    class Meta:
        verbose_name = _("region awaiting a recount")

    def __str__(self) -> str:
        return self.region_code


class RefreshState(models.Model):
    """One row: when the stored figures were last brought up to date, and the day the
    date-dependent ones were counted for."""

    refreshed_at = models.DateTimeField(_("refreshed at"), null=True)
    rebuilt_at = models.DateTimeField(_("rebuilt at"), null=True)
    facts_date = models.DateField(_("counted for"), null=True)

    class Meta:
        verbose_name = _("refresh state")

    def __str__(self) -> str:
        return f"{self.refreshed_at}"
