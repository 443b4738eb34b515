"""Small helpers shared by the tests."""


def bearer(key: str) -> dict[str, str]:
    """Request headers carrying an API token."""
    return {"Authorization": f"Bearer {key}"}
