"""A long job in the real background worker that `baolei serve` starts beside gunicorn."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ADMIN = ("browser_admin", "Admin-Browser-2024-x")  # created by the `site` fixture


def test_the_admin_reloads_a_county_and_watches_the_worker_finish(site, page, login):
    login(page, *ADMIN)
    page.goto(site("/regions/reload/"))
    page.fill("#id_only", "420222")
    page.locator("main form button[type=submit]").click()

    job = page.get_by_test_id("job")
    # The page polls with HTMX until the worker process has run the job.
    expect(job).to_have_attribute("data-status", "SUCCESSFUL", timeout=60_000)
    expect(job).to_contain_text("498")
    page.goto(site("/audit/?action=bulk_load"))
    expect(page.get_by_test_id("audit-table")).to_contain_text("browser_admin")
