import importlib
import io
import types

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from disclosure.audit import (
    GENESIS_HASH,
    entry_digest,
    first_broken_link,
    record_event,
    record_events,
)
from disclosure.audit_verify import verify_chain
from disclosure.models import AuditAction, AuditChainHead, AuditEntry
from disclosure.models.audit import CHAIN_KEYED, CHAIN_LEGACY
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
        cursor.execute("DROP TRIGGER IF EXISTS disclosure_audit_no_update")
        cursor.execute("DROP TRIGGER IF EXISTS disclosure_audit_no_delete")


@pytest.mark.django_db
def test_the_database_itself_refuses_to_update_an_audit_row():
    entry = record_event(action=AuditAction.LOGIN, actor=make_user())
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE id = %s", ["改过", entry.pk])  # noqa: S608
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


@pytest.mark.django_db
def test_the_database_itself_refuses_to_delete_an_audit_row():
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
        disable_append_only_trigger(cursor)
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


def forge_from(entry_id: int, *, reason: str, version: int = CHAIN_KEYED) -> None:
    """An attacker with database rights: rewrite one row, then recompute every hash after it
    and the head, with the code of this repository but without the chain key."""
    with connection.cursor() as cursor:
        disable_append_only_trigger(cursor)
    prev = None
    for entry in AuditEntry.objects.order_by("id"):
        if entry.pk < entry_id:
            prev = entry.entry_hash
            continue
        if entry.pk == entry_id:
            entry.reason = reason
        entry.prev_hash = prev or GENESIS_HASH
        entry.chain_version = version
        entry.entry_hash = entry_digest(entry)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE disclosure_auditentry SET reason = %s, prev_hash = %s, entry_hash = %s,"
                " chain_version = %s WHERE id = %s",
                [entry.reason, entry.prev_hash, entry.entry_hash, version, entry.pk],
            )
        prev = entry.entry_hash
    with connection.cursor() as cursor:
        cursor.execute("UPDATE disclosure_auditchainhead SET last_hash = %s", [prev])


def five_entries() -> list[AuditEntry]:
    user = make_user()
    return [record_event(action=AuditAction.EDIT, actor=user, reason=f"第{i}次") for i in range(5)]


@pytest.mark.django_db
def test_a_row_rewritten_and_the_chain_recomputed_without_the_key_is_detected(settings):
    entries = five_entries()
    settings.AUDIT_CHAIN_KEY = "the attacker's guess"
    forge_from(entries[1].pk, reason="改过")
    settings.AUDIT_CHAIN_KEY = ""
    report = verify_chain()
    assert not report.intact
    assert report.problems[0].entry_id == entries[1].pk
    with pytest.raises(CommandError, match=f"第 {entries[1].pk} 条的哈希不符"):
        call_command("verify_audit_log")


@pytest.mark.django_db
def test_a_chain_recomputed_as_unkeyed_legacy_entries_is_detected():
    """The rewrite that passed on main: plain SHA-256 recomputed from the edited row on."""
    entries = five_entries()
    forge_from(entries[0].pk, reason="改过", version=CHAIN_LEGACY)
    with pytest.raises(CommandError, match="没有密钥条目封存"):
        call_command("verify_audit_log")


@pytest.mark.django_db
def test_keyed_entries_turned_back_into_unkeyed_ones_are_detected():
    entries = five_entries()
    forge_from(entries[2].pk, reason="改过", version=CHAIN_LEGACY)  # 0 and 1 stay keyed
    problems = [problem.message for problem in verify_chain().problems]
    assert any(f"第 {entries[2].pk} 条是无密钥的旧版条目" in message for message in problems)


@pytest.mark.django_db
def test_verify_reports_every_damaged_entry_by_number():
    entries = five_entries()
    with connection.cursor() as cursor:
        disable_append_only_trigger(cursor)
        for entry in (entries[1], entries[3]):
            cursor.execute(
                "UPDATE disclosure_auditentry SET reason = '改过' WHERE id = %s", [entry.pk]
            )
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 处问题"):
        call_command("verify_audit_log", stderr=err)
    assert f"第 {entries[1].pk} 条的哈希不符" in err.getvalue()
    assert f"第 {entries[3].pk} 条的哈希不符" in err.getvalue()


@pytest.mark.django_db
def test_verify_reports_a_deleted_middle_entry():
    entries = five_entries()
    with connection.cursor() as cursor:
        disable_append_only_trigger(cursor)
        cursor.execute("DELETE FROM disclosure_auditentry WHERE id = %s", [entries[2].pk])
    with pytest.raises(CommandError, match=f"第 {entries[3].pk} 条与第 {entries[1].pk} 条之间断链"):
        call_command("verify_audit_log")


@pytest.mark.django_db
def test_verify_reports_an_emptied_table_instead_of_crashing():
    five_entries()
    with connection.cursor() as cursor:
        disable_append_only_trigger(cursor)
        cursor.execute("DELETE FROM disclosure_auditentry")
    with pytest.raises(CommandError, match="表被清空"):
        call_command("verify_audit_log")


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("table", ["disclosure_auditentry", "disclosure_auditchainhead"])
def test_postgresql_refuses_to_truncate_the_audit_tables(table):
    five_entries()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEntry.objects.count() == 5
    call_command("verify_audit_log")


@pytest.mark.django_db
def test_anchors_kept_outside_detect_a_chain_rebuilt_with_the_key(tmp_path):
    """Even somebody holding the key (or the whole server) cannot move an anchor on paper."""
    entries = five_entries()
    anchor_file = tmp_path / "audit-anchors.tsv"
    out = io.StringIO()
    call_command("verify_audit_log", anchor=anchor_file, stdout=out)
    [line] = anchor_file.read_text().splitlines()
    at, entry_id, entry_hash = line.split("\t")
    assert int(entry_id) == entries[-1].pk and entry_hash == entries[-1].entry_hash
    assert "已追加锚点" in out.getvalue()

    forge_from(entries[3].pk, reason="改过")  # with the right key: the chain itself is consistent
    call_command("verify_audit_log")
    with pytest.raises(CommandError, match=f"第 {entries[-1].pk} 条的哈希与锚点.*不符"):
        call_command("verify_audit_log", anchor=anchor_file, compare_only=True)
    assert len(anchor_file.read_text().splitlines()) == 1  # a damaged chain is never anchored


@pytest.mark.django_db
def test_anchors_detect_the_newest_entries_deleted_with_the_head_rewound(tmp_path):
    entries = five_entries()
    anchor_file = tmp_path / "anchors.tsv"
    call_command("verify_audit_log", anchor=anchor_file)
    with connection.cursor() as cursor:
        disable_append_only_trigger(cursor)
        cursor.execute("DELETE FROM disclosure_auditentry WHERE id = %s", [entries[-1].pk])
        cursor.execute(
            "UPDATE disclosure_auditchainhead SET last_hash = %s", [entries[-2].entry_hash]
        )
    call_command("verify_audit_log")  # consistent in itself
    with pytest.raises(CommandError, match=f"第 {entries[-1].pk} 条已不存在"):
        call_command("verify_audit_log", anchor=anchor_file)


@pytest.mark.django_db
def test_a_malformed_anchor_file_is_refused_with_its_line(tmp_path):
    five_entries()
    anchor_file = tmp_path / "anchors.tsv"
    anchor_file.write_text("不是锚点\n")
    with pytest.raises(CommandError, match="第 1 行格式不对"):
        call_command("verify_audit_log", anchor=anchor_file)


def legacy_entry(reason: str) -> AuditEntry:
    """An entry as main wrote it before the chain was keyed."""
    from disclosure.models import AuditChainHead

    AuditChainHead.objects.get_or_create(pk=1)
    head = AuditChainHead.objects.get(pk=1)
    entry = AuditEntry(
        created_at=timezone.now(),
        action=AuditAction.OTHER,
        reason=reason,
        prev_hash=head.last_hash,
        chain_version=CHAIN_LEGACY,
    )
    entry.entry_hash = entry_digest(entry)
    entry.save()
    head.last_hash = entry.entry_hash
    head.save()
    return entry


@pytest.mark.django_db
def test_old_unkeyed_entries_are_sealed_by_the_migration_and_then_verify():
    legacy = [legacy_entry(f"旧{i}") for i in range(3)]
    with pytest.raises(CommandError, match="没有密钥条目封存"):
        call_command("verify_audit_log")
    migration = importlib.import_module("disclosure.migrations.0014_audit_chain_key")
    migration.seal_legacy_entries(django_apps, None)
    seal = AuditEntry.objects.order_by("-id").first()
    assert seal.chain_version == CHAIN_KEYED and seal.prev_hash == legacy[-1].entry_hash
    assert seal.details == {"legacy_entries": 3}
    out = io.StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "其中 3 条为无密钥旧条目" in out.getvalue()
    # The old entries can no longer be rewritten without the key: the seal covers their hash.
    forge_from(legacy[0].pk, reason="改过", version=CHAIN_LEGACY)
    with connection.cursor() as cursor:  # keep the seal as it was, only relinked
        cursor.execute(
            "UPDATE disclosure_auditentry SET chain_version = 2, prev_hash = %s, entry_hash = %s"
            " WHERE id = %s",
            [
                AuditEntry.objects.get(pk=legacy[-1].pk).entry_hash,
                seal.entry_hash,
                seal.pk,
            ],
        )
        cursor.execute("UPDATE disclosure_auditchainhead SET last_hash = %s", [seal.entry_hash])
    with pytest.raises(CommandError, match=f"第 {seal.pk} 条的哈希不符"):
        call_command("verify_audit_log")


@pytest.mark.django_db
def test_the_chain_key_comes_from_settings_not_the_database(settings):
    entry = record_event(action=AuditAction.LOGIN, actor=make_user())
    settings.AUDIT_CHAIN_KEY = "another-key"
    assert entry_digest(entry) != entry.entry_hash
    settings.AUDIT_CHAIN_KEY = ""
    assert entry_digest(entry) == entry.entry_hash
    settings.SECRET_KEY = "a-rotated-secret-key"  # the derived key follows SECRET_KEY
    assert entry_digest(entry) != entry.entry_hash


def varied_events(*, actor, record) -> list[dict]:
    """Events whose canonical JSON needs escaping, nesting and sorting, by two actors and none."""
    long_title = "关于印发《“十四五”规划》的通知\\附件" * 20
    return [
        {
            "action": AuditAction.PUBLISH,
            "actor": actor,
            "target": ("disclosure.disclosurerecord", "123", long_title),
            "reason": "导入",
            "ip": None,
            "details": {
                "import": "records.jsonl",
                "row": 2,
                "created": True,
                "status": "published",
            },
        },
        {
            "action": "edit",
            "actor": None,
            "target": ("disclosure.disclosurerecord", "7", 'say "hi" \\ back\\slash\n\t\x01'),
            "reason": "理由:“引号”、\\反斜杠\\ and 'quotes' 🏛",
            "ip": "10.0.0.7",
            "details": {
                "z": [1, 1.5, None, False, {"b": "乙", "a": "甲"}],
                "a": {"nested": {"deeper": ["\u2028", "\\"]}},
                "空": {},
            },
        },
        {"action": AuditAction.WITHDRAW, "actor": actor, "obj": record, "reason": ""},
        {"action": AuditAction.EXPORT, "actor": make_user(username="另一人"), "ip": "::1"},
        {"action": AuditAction.PUBLISH, "actor": actor, "target": ("", "", ""), "details": None},
    ]


@pytest.mark.django_db
def test_bulk_entries_carry_the_hash_the_verifier_recomputes():
    actor = make_user(username="导入员")
    record_event(action=AuditAction.LOGIN, actor=actor)  # the bulk entries chain after it
    events = varied_events(actor=actor, record=make_record(title="撤回的文件"))
    assert record_events(events, batch_size=2) == len(events)
    entries = list(AuditEntry.objects.order_by("id"))
    assert len(entries) == 1 + len(events)
    for before, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == before.entry_hash
        assert entry.entry_hash == entry_digest(entry)
    assert len(entries[1].object_repr) == 300 and entries[1].actor_id == actor.pk
    assert entries[2].actor_id is None and entries[2].ip == "10.0.0.7"
    assert entries[3].object_repr == "撤回的文件" and entries[4].actor_name == "另一人"
    assert AuditChainHead.objects.get(pk=1).last_hash == entries[-1].entry_hash
    assert first_broken_link() is None


@pytest.mark.django_db
def test_bulk_insert_receives_one_dict_per_entry_with_every_column_but_the_id():
    actor = make_user(username="导入员")
    record = make_record(title="撤回的文件")
    events = varied_events(actor=actor, record=record)
    batches: list[list[dict]] = []
    head = AuditChainHead.objects.get_or_create(pk=1)[0].last_hash
    assert record_events(events, insert=batches.append, batch_size=2) == len(events)
    assert [len(batch) for batch in batches] == [2, 2, 1]
    rows = [row for batch in batches for row in batch]
    columns = {f.attname for f in AuditEntry._meta.concrete_fields if not f.primary_key}
    assert all(set(row) == columns for row in rows)
    assert rows[0]["prev_hash"] == head
    for before, row in zip(rows, rows[1:], strict=False):
        assert row["prev_hash"] == before["entry_hash"]
    for row in rows:  # the faster digest agrees with the definition, before any database
        assert row["entry_hash"] == entry_digest(types.SimpleNamespace(**row))
    assert rows[0]["created_at"] == rows[-1]["created_at"]
    assert {key: rows[2][key] for key in columns - {"created_at", "prev_hash", "entry_hash"}} == {
        "actor_id": actor.pk,
        "actor_name": "导入员",
        "action": AuditAction.WITHDRAW,
        "object_type": "disclosure.disclosurerecord",
        "object_id": str(record.pk),
        "object_repr": "撤回的文件",
        "reason": "",
        "ip": None,
        "details": {},
        "chain_version": CHAIN_KEYED,
    }
    assert AuditChainHead.objects.get(pk=1).last_hash == rows[-1]["entry_hash"]


@pytest.mark.django_db
def test_the_database_refuses_a_second_entry_with_the_same_hash():
    entry = record_event(action=AuditAction.LOGIN, actor=make_user())
    copy = AuditEntry(
        created_at=entry.created_at,
        action=entry.action,
        prev_hash=entry.entry_hash,
        entry_hash=entry.entry_hash,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


@pytest.mark.django_db
def test_bulk_entries_roll_back_with_the_callers_transaction():
    record_event(action=AuditAction.LOGIN, actor=make_user())
    head = AuditChainHead.objects.get(pk=1).last_hash
    with pytest.raises(RuntimeError), transaction.atomic():
        record_events([{"action": AuditAction.IMPORT}] * 3)
        raise RuntimeError
    assert AuditEntry.objects.count() == 1
    assert AuditChainHead.objects.get(pk=1).last_hash == head
    assert first_broken_link() is None
