"""The API's documentation page works on an intranet: Swagger UI comes from the site's own
static files, not from a public CDN."""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def _references(html: str) -> list[str]:
    return REFERENCE.findall(html)


@pytest.mark.parametrize("as_who", ["anonymous", "county_admin"])
def test_the_docs_page_loads_nothing_from_outside_the_site(client, county_admin, as_who):
    if as_who == "county_admin":
        client.force_login(county_admin)
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    references = _references(html)
    assert references, html
    outside = [ref for ref in references if urlsplit(ref).scheme or ref.startswith("//")]
    assert outside == []
    assert "cdn" not in html.lower()


def test_the_static_files_the_docs_page_uses_exist(client):
    html = client.get("/api/docs").content.decode()
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    used = [ref for ref in _references(html) if ref.startswith(static_prefix)]
    names = {ref.removeprefix(static_prefix) for ref in used}
    assert {"vendor/swagger-ui-bundle.js", "vendor/swagger-ui.css"} <= names
    for name in names:
        assert finders.find(name), name
    # Swagger UI needs its bundle and a script that starts it with the document's address.
    assert 'src="' + static_prefix + "vendor/swagger-ui-bundle.js" in html
    assert "/api/openapi.json" in html


def test_the_docs_page_does_not_call_the_public_validator(client):
    html = client.get("/api/docs").content.decode()
    settings_json = html.split('id="swagger-settings">', 1)[1].split("</script>", 1)[0]
    assert json.loads(settings_json)["validatorUrl"] is None
