"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright; never downloaded."""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in the test thread; the ORM calls the fixtures make
# around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site_data(transactional_db):
    """The fixtures (vocabulary and the seed record) plus a page of synthetic records."""
    from django.core.management import call_command

    call_command("loaddata", "vocabulary", "seed_record", verbosity=0)
    call_command("generate_records", "--count", "30", verbosity=0)
