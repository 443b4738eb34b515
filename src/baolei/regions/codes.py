"""The National Bureau of Statistics division code is the path of a region.

Province 2 digits, city 4, county 6, township 9, village 12. A region's descendants are
exactly the codes in the closed range [code, code + "9" * (12 - len(code))]: the codes
are all digits, so the range holds under any collation, and a plain B-tree index on the
code answers it. No tree library is needed.
"""

from django.db.models import Q

LEVEL_LENGTHS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
LENGTH_LEVELS = {length: level for level, length in LEVEL_LENGTHS.items()}
MAX_LENGTH = 12


def is_region_code(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) in LENGTH_LEVELS


def level_of(code: str) -> int:
    try:
        return LENGTH_LEVELS[len(code)]
    except KeyError:
        raise ValueError(f"not a division code: {code!r}") from None


def child_length(code: str | None) -> int | None:
    """The length of the codes one level below `code` (2 below the whole country, None
    below a village, which has no children)."""
    if code is None:
        return LEVEL_LENGTHS[1]
    return LEVEL_LENGTHS.get(level_of(code) + 1)


def parent_of(code: str) -> str | None:
    level = level_of(code)
    return code[: LEVEL_LENGTHS[level - 1]] if level > 1 else None


def ancestors_of(code: str) -> list[str]:
    """The codes above `code`, from the province down, excluding `code` itself."""
    return [code[:length] for lvl, length in LEVEL_LENGTHS.items() if lvl < level_of(code)]


def subtree_bounds(code: str) -> tuple[str, str]:
    return code, code + "9" * (MAX_LENGTH - len(code))


def within(field: str, code: str) -> Q:
    """`field` lies in the region `code` or below it."""
    low, high = subtree_bounds(code)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def contains(ancestor: str, code: str) -> bool:
    return code.startswith(ancestor)
