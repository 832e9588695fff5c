import os
import shutil

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    has_chromium = shutil.which("chromium") or os.path.exists("/usr/bin/chromium")
    skip_pg = pytest.mark.skip(reason="PostgreSQL only: runs in the PostgreSQL pass (DATABASE_URL)")
    skip_browser = pytest.mark.skip(
        reason="Chromium not found at /usr/bin/chromium: browser tests SKIPPED "
        "(apt-get install chromium to run them)"
    )
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(skip_browser)


@pytest.fixture
def vocabulary(db):
    """The controlled vocabularies of fixtures/vocabulary.json."""
    from django.core.management import call_command

    call_command("loaddata", "vocabulary", verbosity=0)


@pytest.fixture
def seed_data(vocabulary):
    from django.core.management import call_command

    call_command("loaddata", "seed_record", verbosity=0)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture(autouse=True)
def _clear_cache():
    """The PostgreSQL pass uses the real Redis cache: start every test from an empty one."""
    from django.core.cache import cache

    from portal.page_cache_local import forget_everything_here

    cache.clear()
    forget_everything_here()  # a worker's copy of the pages: FLUSHDB announces nothing
    yield
    cache.clear()
    forget_everything_here()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """The database refuses to empty the audit tables (disclosure/audit_guard.py), which is what
    Django's flush does after a transactional test: lift the guard for that flush only."""
    marker = item.get_closest_marker("django_db")
    flushes = "transactional_db" in getattr(item, "fixturenames", ()) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if flushes:
        from pytest_django.plugin import blocking_manager_key

        from disclosure import audit_guard

        blocker = item.config.stash[blocking_manager_key]
        with blocker.unblock():
            audit_guard.lift_for_test_flush(connection)
    yield
    if flushes and nextitem is not None:  # after the last test the database is gone
        with blocker.unblock():
            audit_guard.restore_after_test_flush(connection)
