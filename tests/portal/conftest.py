"""Fixtures of the page-cache tests (tests/portal/test_page_cache*.py)."""

from __future__ import annotations

import pytest

from portal import page_cache


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_ADDITION_LAG = 0  # a publication shows at once (test_page_cache_crowd)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write and what it scheduled for after its commit (the cache is invalidated after
    commit: disclosure/changes.py)."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


@pytest.fixture
def site(vocabulary, committed):
    from tests.portal.test_page_cache import Site

    # inside `committed`: the announcement of these saves must not stay pending in the test's
    # transaction, where the next writes would join it instead of announcing their own
    return committed(Site, committed)


@pytest.fixture
def lookups(monkeypatch):
    """The paths asked of the page cache (Redis or local memory) by the front or the
    middleware, rather than served from a worker's own copy."""
    asked: list[str] = []
    real = page_cache.lookup_page

    def lookup_page(page):
        asked.append(page.material.split("\n")[2])
        return real(page)

    monkeypatch.setattr(page_cache, "lookup_page", lookup_page)
    return asked
