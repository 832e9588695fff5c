import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

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
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE id = %s", ["改过", entries[2].pk])  # noqa: S608
    assert first_broken_link().pk == entries[2].pk
    with pytest.raises(CommandError, match=f"第 {entries[2].pk} 条"):
        call_command("verify_audit_log")
