"""Loading, reading and searching the administrative divisions."""

import csv
import hashlib
import io
import lzma
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.regions import codes
from baolei.regions.models import Level, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCE_FILES = {
    Level.PROVINCE: "provinces.csv",
    Level.CITY: "cities.csv",
    Level.COUNTY: "areas.csv",
    Level.TOWNSHIP: "streets.csv",
    Level.VILLAGE: "villages.csv.xz",
}
# City-level placeholders that the NBS lists but nobody writes in an address.
PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

RegionRow = tuple[str, str, int, str]  # code, name, level, full name


@dataclass
class LoadResult:
    counts: dict[int, int] = field(default_factory=dict)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    sha256: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _open_source(level: int, data_dir: Path) -> io.TextIOBase:
    path = data_dir / SOURCE_FILES[level]
    if path.suffix == ".xz":
        return lzma.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def source_sha256(data_dir: Path = DATA_DIR) -> str:
    digest = hashlib.sha256()
    for name in SOURCE_FILES.values():
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()


def iter_source_rows(only: str | None = None, data_dir: Path = DATA_DIR) -> Iterator[RegionRow]:
    """Every region in the shipped files, parents before children.

    With `only`, the region with that code, everything below it and its ancestors.
    """
    wanted_ancestors = set(codes.ancestors_of(only)) if only else set()
    full_names: dict[str, str] = {}
    for level in Level.values:
        parent_length = codes.LEVEL_LENGTHS.get(level - 1, 0)
        with _open_source(level, data_dir) as handle:
            reader = csv.reader(handle)
            next(reader)  # header: code, name, then the parents' codes
            for record in reader:
                code, name = record[0], record[1]
                if only and not (code.startswith(only) or code in wanted_ancestors):
                    continue
                parent_full = full_names.get(code[:parent_length], "")
                full = parent_full if name in PLACEHOLDER_NAMES else parent_full + name
                if level < Level.VILLAGE:
                    full_names[code] = full
                yield code, name, level, full


def load_regions(only: str | None = None, data_dir: Path = DATA_DIR) -> LoadResult:
    """Insert or update the divisions in one transaction; running it again changes nothing."""
    if only is not None and not codes.is_region_code(only):
        raise ValueError(f"not a division code: {only!r}")
    started = time.perf_counter()
    result = LoadResult(sha256=source_sha256(data_dir))

    def counted(rows: Iterator[RegionRow]) -> Iterator[RegionRow]:
        for row in rows:
            result.counts[row[2]] = result.counts.get(row[2], 0) + 1
            yield row

    rows = counted(iter_source_rows(only, data_dir))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            result.inserted, result.updated = _upsert_postgresql(rows)
        else:
            result.inserted, result.updated = _upsert_sqlite(rows)
        if only and not Region.objects.filter(code=only).exists():
            raise ValueError(f"no region with code {only} in the shipped data")
    result.unchanged = result.total - result.inserted - result.updated
    result.seconds = time.perf_counter() - started
    return result


_COLUMNS = "code, name, level, full_name"
_STAGE = (
    "CREATE TEMPORARY TABLE regions_stage "
    "(code varchar(12), name varchar(64), level smallint, full_name varchar(160))"
)
# Set-based merge from the staging table: update what differs, insert what is new.
# Two statements beat INSERT ... ON CONFLICT here: both run as one hash join each.
_UPDATE_CHANGED = (
    "UPDATE regions_region SET name = s.name, level = s.level, full_name = s.full_name "
    "FROM regions_stage s WHERE regions_region.code = s.code AND "
    "(regions_region.name <> s.name OR regions_region.level <> s.level "
    "OR regions_region.full_name <> s.full_name)"
)
_INSERT_NEW = (
    f"INSERT INTO regions_region ({_COLUMNS}) SELECT s.code, s.name, s.level, s.full_name "
    "FROM regions_stage s LEFT JOIN regions_region r ON r.code = s.code "
    "WHERE r.code IS NULL"
)


def _merge_stage(cursor) -> tuple[int, int]:
    cursor.execute(_UPDATE_CHANGED)
    updated = cursor.rowcount
    cursor.execute(_INSERT_NEW)
    inserted = cursor.rowcount
    cursor.execute("DROP TABLE regions_stage")
    return inserted, updated


def _copy_text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t")
        value = value.replace("\n", "\\n").replace("\r", "\\r")
    return value


def _upsert_postgresql(rows: Iterator[RegionRow]) -> tuple[int, int]:
    """COPY, streamed while the files are read. Into an empty table (the first load)
    straight into place; otherwise into a staging table, then merge."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE regions_region IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT EXISTS (SELECT 1 FROM regions_region)")
        if not cursor.fetchone()[0]:
            return _copy_rows(cursor, "regions_region", rows), 0
        cursor.execute(_STAGE + " ON COMMIT DROP")
        _copy_rows(cursor, "regions_stage", rows)
        cursor.execute("ANALYZE regions_stage")
        return _merge_stage(cursor)


def _copy_rows(cursor, table: str, rows: Iterator[RegionRow]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({_COLUMNS}) FROM STDIN") as copy:
        # Text-format lines in large chunks: several times cheaper than write_row.
        batch: list[str] = []
        for code, name, level, full_name in rows:
            batch.append(f"{code}\t{_copy_text(name)}\t{level}\t{_copy_text(full_name)}\n")
            if len(batch) >= 10_000:
                copy.write("".join(batch))
                count += len(batch)
                batch.clear()
        copy.write("".join(batch))
        count += len(batch)
    return count


def _upsert_sqlite(rows: Iterator[RegionRow]) -> tuple[int, int]:
    """One prepared statement: into an empty table straight into place, otherwise into
    a staging table and then the same merge."""
    with connection.cursor() as cursor:
        # A large page cache keeps the transaction's pages out of the WAL until commit.
        cursor.execute("PRAGMA cache_size = -262144")
        insert = f"INSERT INTO %s ({_COLUMNS}) VALUES (?, ?, ?, ?)"
        cursor.execute("SELECT EXISTS (SELECT 1 FROM regions_region)")
        if not cursor.fetchone()[0]:
            before = cursor.connection.total_changes
            cursor.connection.executemany(insert % "regions_region", rows)
            return cursor.connection.total_changes - before, 0
        cursor.execute("DROP TABLE IF EXISTS temp.regions_stage")
        cursor.execute(_STAGE.replace("TEMPORARY TABLE", "TEMPORARY TABLE IF NOT EXISTS"))
        cursor.connection.executemany(insert % "regions_stage", rows)
        return _merge_stage(cursor)


def record_load(result: LoadResult, only: str | None) -> None:
    """One audit event for a whole load, with its counts and the data's SHA-256."""
    audit.record_bulk(
        Action.BULK_LOAD,
        model="regions.region",
        region_code=only or "",
        only=only or "",
        rows=result.total,
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        sha256=result.sha256,
        seconds=round(result.seconds, 2),
    )


def level_counts() -> dict[int, int]:
    rows = Region.objects.values("level").annotate(n=Count("code")).order_by("level")
    return {row["level"]: row["n"] for row in rows}


def children_with_counts(region: Region | None, queryset: QuerySet[Region]) -> list[dict]:
    """The region's children (the provinces for the whole country), each with how many
    children and villages it has: one grouped query on the code prefix, however many."""
    children = list(queryset.children_of(region.code if region else None))
    below = queryset.below(region.code) if region else queryset
    if not children:
        return []
    child_level = children[0].level
    counted_levels = {child_level + 1, Level.VILLAGE} - {child_level}
    grouped = (
        below.filter(level__in=counted_levels)
        .annotate(prefix=Substr("code", 1, codes.LEVEL_LENGTHS[child_level]))
        .values_list("prefix", "level")
        .annotate(n=Count("code"))
        .order_by()
    )
    counts = {(prefix, level): n for prefix, level, n in grouped}
    return [
        {
            "region": child,
            "children": counts.get((child.code, child_level + 1), 0),
            "villages": counts.get((child.code, Level.VILLAGE), 0),
        }
        for child in children
    ]


def search(queryset: QuerySet[Region], text: str, limit: int = 20) -> list[Region]:
    """Regions by code prefix (digits) or by name.

    A code prefix lists in code order — the region itself, then its subtree — which the
    primary key serves directly; names list the highest levels first.
    """
    text = text.strip()
    if not text:
        return []
    if text.isdigit():
        if len(text) > codes.MAX_LENGTH:
            return []
        low, high = text, text + "9" * (codes.MAX_LENGTH - len(text))
        return list(queryset.filter(code__gte=low, code__lte=high).order_by("code")[:limit])
    matches = queryset.filter(full_name__contains=text)
    return list(matches.order_by("level", "code")[:limit])


def picker_roots(scope) -> list[Region]:
    """The first choices of a region picker: the scope's own region and its children,
    or the provinces for the whole country."""
    if scope.empty:
        return []
    if scope.region_code is None:
        return list(Region.objects.children_of(None))
    own = Region.objects.filter(code=scope.region_code)
    return [*own, *Region.objects.children_of(scope.region_code)]
