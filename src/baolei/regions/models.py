from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baolei.regions import codes


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township")
    VILLAGE = 5, _("Village")


# Levels a region's children belong to, for headings like "21 townships".
CHILD_LEVEL_NAMES = {
    None: _("Provinces"),
    Level.PROVINCE: _("Cities"),
    Level.CITY: _("Counties"),
    Level.COUNTY: _("Townships"),
    Level.TOWNSHIP: _("Villages"),
}


class RegionQuerySet(models.QuerySet):
    def within(self, code: str) -> "RegionQuerySet":
        """This region and everything below it: a range query on the code."""
        return self.filter(codes.within("code", code))

    def below(self, code: str) -> "RegionQuerySet":
        return self.within(code).exclude(code=code)

    def children_of(self, code: str | None) -> "RegionQuerySet":
        """The next level down: the provinces for None (the whole country)."""
        if code is None:
            return self.filter(level=Level.PROVINCE)
        return self.within(code).filter(level=codes.level_of(code) + 1)

    def villages(self) -> "RegionQuerySet":
        return self.filter(level=Level.VILLAGE)


class Region(models.Model):
    """A unit of the five-level administrative division, keyed by its NBS code.

    There is no parent column: the parent's code is a prefix of the code, and children
    and descendants are range queries on the (level, code) index.
    """

    scope_field = "code"

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    full_name = models.CharField(pgettext_lazy("region", "full name"), max_length=160)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_village(self) -> bool:
        return self.level == Level.VILLAGE

    @property
    def child_level_name(self) -> str:
        return CHILD_LEVEL_NAMES.get(self.level, "")

    @property
    def parent_code(self) -> str | None:
        return codes.parent_of(self.code)

    def ancestor_codes(self) -> list[str]:
        return codes.ancestors_of(self.code)
