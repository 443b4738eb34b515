"""Boundary maps: an administrator uploads the outlines of a region's children as GeoJSON,
checked here before it is kept, and the dashboard draws its map from it.

A file is refused whole, with every fault named (the feature's position and code and
what is wrong), so that whoever prepared it can fix it in one go. Only the outline and
the code of each feature are kept: whatever else a GIS export carries is not ours to
store or to serve again."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.dashboard.models import Boundary
from baolei.regions.models import Region

MAX_BYTES = 8 * 1024 * 1024  # a county's townships in fine detail fit well within it
MAX_ERRORS = 20  # beyond that, the file is plainly of another kind
GEOMETRIES = ("Polygon", "MultiPolygon")
CODE_PROPERTIES = ("code", "adcode")  # ours, and the name common Chinese sources use


class BoundaryError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Checked:
    geojson: str  # the FeatureCollection as it is kept and served
    codes: list[str]


def _children(code: str) -> dict[str, str]:
    """The codes of the region's children (the provinces for the nation) -> names."""
    children = Region.objects.children_of(code or None)
    return dict(children.values_list("code", "name"))


def _code_of(feature: dict) -> str:
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        return ""
    for name in CODE_PROPERTIES:
        value = properties.get(name)
        if isinstance(value, int | str) and str(value).strip():
            return str(value).strip()
    return ""


def _feature_errors(number: int, feature, children: dict[str, str], seen: set[str]) -> list[str]:
    label = _("Feature %(number)s") % {"number": number}
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [_("%(feature)s: not a GeoJSON Feature.") % {"feature": label}]
    code = _code_of(feature)
    if not code:
        return [_("%(feature)s: it has no “code” property.") % {"feature": label}]
    label = _("Feature %(number)s (code %(code)s)") % {"number": number, "code": code}
    errors = []
    if code not in children:
        errors.append(_("%(feature)s: not a region directly below this one.") % {"feature": label})
    elif code in seen:
        errors.append(_("%(feature)s: this code appears twice.") % {"feature": label})
    seen.add(code)
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES:
        errors.append(
            _("%(feature)s: its geometry is not a Polygon or MultiPolygon.") % {"feature": label}
        )
    elif not isinstance(geometry.get("coordinates"), list) or not geometry["coordinates"]:
        errors.append(_("%(feature)s: its geometry has no coordinates.") % {"feature": label})
    return errors


def check(region_code: str, data: bytes) -> Checked:
    """The upload for the children of `region_code`, made ready to keep; `BoundaryError`
    with every fault found otherwise."""
    if len(data) > MAX_BYTES:
        raise BoundaryError(
            [
                _("The file is %(size)s MB; at most %(limit)s MB is accepted.")
                % {"size": round(len(data) / 2**20, 1), "limit": MAX_BYTES // 2**20}
            ]
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BoundaryError([_("The file is not text in UTF-8.")]) from None
    except json.JSONDecodeError as error:
        raise BoundaryError(
            [
                _("The file is not JSON: line %(line)s, column %(column)s: %(reason)s.")
                % {"line": error.lineno, "column": error.colno, "reason": error.msg}
            ]
        ) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BoundaryError([_("The file is JSON but not a GeoJSON FeatureCollection.")])
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError([_("The FeatureCollection has no features.")])
    children = _children(region_code)
    errors: list[str] = []
    seen: set[str] = set()
    for number, feature in enumerate(features, start=1):
        errors += _feature_errors(number, feature, children, seen)
        if len(errors) >= MAX_ERRORS:
            errors.append(_("Checking stopped after %(count)s faults.") % {"count": MAX_ERRORS})
            break
    if errors:
        raise BoundaryError(errors)
    kept = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                # ECharts names a map's regions by `name`: the code keeps them apart
                # (two villages may share a name) and the page labels them itself.
                "properties": {"name": _code_of(f), "code": _code_of(f)},
                "geometry": f["geometry"],
            }
            for f in features
        ],
    }
    return Checked(json.dumps(kept, ensure_ascii=False, separators=(",", ":")), sorted(seen))


@transaction.atomic
def save(region_code: str, data: bytes, *, by: str, approval_number: str = "") -> Boundary:
    """Check and keep the upload, replacing the region's earlier one; audited."""
    checked = check(region_code, data)
    existing = Boundary.objects.filter(region_code=region_code).first()
    boundary, _created = Boundary.objects.update_or_create(
        region_code=region_code,
        defaults={
            "geojson": checked.geojson,
            "features": len(checked.codes),
            "approval_number": approval_number,
            "uploaded_by": by,
        },
    )
    audit.record(
        Action.UPDATE if existing else Action.CREATE,
        model="dashboard.boundary",
        object_pk=str(boundary.pk),
        object_repr=f"{region_code or '—'}",
        region_code=region_code,
        extra={
            "features": len(checked.codes),
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "approval_number": approval_number,
        },
    )
    return boundary


def geojson_for(region_code: str) -> str | None:
    """The kept FeatureCollection of the region's children, if any was uploaded."""
    return (
        Boundary.objects.filter(region_code=region_code).values_list("geojson", flat=True).first()
    )


def has_map(region_code: str) -> bool:
    return Boundary.objects.filter(region_code=region_code).exists()
