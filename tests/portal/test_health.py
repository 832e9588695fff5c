import pytest
from django.test import Client

from portal.views import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_uncached_without_a_script_prefix_redirect():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]
    assert Client().get("/zh-hant/healthz").status_code == 404


def test_readyz_is_ok_when_the_database_answers_and_migrations_are_applied(monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_503_without_details_while_a_migration_is_not_applied(
    tmp_path, monkeypatch, settings
):
    package = tmp_path / "pending_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "0001_pending.py").write_text(
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.RunSQL('SELECT 1', migrations.RunSQL.noop)]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.MIGRATION_MODULES = {"portal": "pending_migrations"}
    monkeypatch.setattr(health, "_migrated", False)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert "no-store" in response["Cache-Control"]
