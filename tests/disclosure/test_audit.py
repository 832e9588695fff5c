import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from disclosure.audit import first_broken_link, record_event
from disclosure.models import AuditAction, AuditEntry
from tests.factories import make_record, make_user


@pytest.mark.django_db
def test_entries_chain_to_each_other_and_verify():
    user = make_user(username="reviewer")
    record = make_record()
    first = record_event(action=AuditAction.SUBMIT, actor=user, obj=record, ip="127.0.0.1")
    second = record_event(action=AuditAction.REJECT, actor=user, obj=record, reason="缺少附件")
    assert second.prev_hash == first.entry_hash
    assert first.actor_name == "reviewer" and first.object_id == str(record.pk)
    assert first_broken_link() is None
    call_command("verify_audit_log")


@pytest.mark.django_db
def test_entries_cannot_be_edited_or_deleted_through_the_application():
    entry = record_event(action=AuditAction.LOGIN, actor=make_user())
    entry.reason = "篡改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="篡改")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


@pytest.mark.django_db
def test_verification_reports_the_first_tampered_row():
    user = make_user()
    entries = [
        record_event(action=AuditAction.EDIT, actor=user, reason=f"第{i}次") for i in range(5)
    ]
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        disable_append_only_trigger(cursor)
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE id = %s", ["改过", entries[2].pk])  # noqa: S608
    assert first_broken_link().pk == entries[2].pk
    with pytest.raises(CommandError, match=f"第 {entries[2].pk} 条"):
        call_command("verify_audit_log")


def disable_append_only_trigger(cursor) -> None:
    """What an attacker with database access would have to do first (test only)."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "ALTER TABLE disclosure_auditentry DISABLE TRIGGER disclosure_audit_append_only"
        )
    else:
        cursor.execute("DROP TRIGGER disclosure_audit_no_update")


@pytest.mark.django_db
def test_the_database_itself_refuses_to_update_an_audit_row():
    entry = record_event(action=AuditAction.LOGIN, actor=make_user())
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE id = %s", ["改过", entry.pk])  # noqa: S608
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_refuses_to_delete_an_audit_row():
    entry = record_event(action=AuditAction.LOGIN, actor=make_user())
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])  # noqa: S608
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_verification_detects_deleted_newest_entries():
    user = make_user()
    entries = [record_event(action=AuditAction.EDIT, actor=user) for _ in range(3)]
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE disclosure_auditentry DISABLE TRIGGER disclosure_audit_append_only"
            )
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entries[-1].pk])  # noqa: S608
    assert first_broken_link() is not None
    with pytest.raises(CommandError):
        call_command("verify_audit_log")


@pytest.mark.django_db
def test_superuser_cannot_change_or_delete_entries_in_the_admin(client):
    admin = make_user(username="root", is_staff=True, is_superuser=True)
    entry = record_event(action=AuditAction.LOGIN, actor=admin)
    client.force_login(admin)
    url = f"/admin/disclosure/auditentry/{entry.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="reason"' not in page.content.decode()
    assert client.post(url, {"reason": "篡改"}).status_code == 403
    delete = client.post(f"/admin/disclosure/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


@pytest.mark.django_db
def test_logins_and_failed_logins_are_audited(client):
    make_user(username="clerk", password="right-pass-123", is_staff=True)
    client.post("/admin/login/", {"username": "clerk", "password": "wrong"})
    client.post("/admin/login/", {"username": "clerk", "password": "right-pass-123"})
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.details["username"] == "clerk" and "wrong" not in str(failed.details)
    assert AuditEntry.objects.get(action=AuditAction.LOGIN).actor_name == "clerk"
