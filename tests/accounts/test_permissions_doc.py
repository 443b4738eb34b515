"""docs/permissions.md must say what the code enforces."""

import re
from pathlib import Path

from baolei.accounts.permissions import ROLE_PERMISSIONS, Perm, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def _documented_matrix() -> dict[str, set[str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| role |"))
    perms = re.findall(r"`([a-z_]+)`", header)
    matrix = {}
    for line in lines:
        match = re.match(r"\| .*\(`([a-z_]+)`\) \|(.*)\|$", line)
        if match:
            cells = [cell.strip() for cell in match.group(2).split("|")]
            matrix[match.group(1)] = {
                perm for perm, cell in zip(perms, cells, strict=True) if cell == "✓"
            }
    return matrix


def test_documented_matrix_matches_the_code():
    expected = {role.value: {perm.value for perm in ROLE_PERMISSIONS[role]} for role in Role}
    assert _documented_matrix() == expected


def test_every_permission_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for perm in Perm:
        assert f"| `{perm.value}` |" in text, perm
