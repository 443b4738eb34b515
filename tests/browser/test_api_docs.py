"""/api/docs in a real browser: Swagger UI renders the API from the site's own files and
asks nothing of any other host (an intranet has none to ask)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_api_docs_render_without_leaving_the_site(site, page, login):
    login(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site("/api/docs"))

    operation = page.locator(".opblock-summary-path", has_text="/api/me/").first
    expect(operation).to_be_visible()
    # Deep linking moves the address's #fragment, which is no navigation to wait for.
    operation.click(no_wait_after=True)
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    status = page.locator(".live-responses-table td.response-col_status:not(.col_header)")
    expect(status.first).to_have_text("200")
    page.screenshot(path="/tmp/baolei-api-docs.png")

    outside = [url for url in requested if not url.startswith(site.url + "/")]
    assert outside == []
    assert any("/static/vendor/swagger-ui-bundle." in url for url in requested)
