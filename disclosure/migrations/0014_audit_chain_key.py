"""Key the audit chain (HMAC, chain version 2) and refuse TRUNCATE of the audit tables.

Existing entries keep their plain SHA-256 hashes and are marked chain version 1: re-keying them
here would be the very rewrite an attacker with database rights could do, and would leave no
trace of what the chain said before. Instead, when the table already holds entries, one keyed
entry is appended at once: its HMAC covers the last unkeyed hash, so the old entries can no
longer be rewritten without the key either, and verification refuses an unkeyed entry after a
keyed one (disclosure.audit_verify).
"""

from django.db import migrations, models

from disclosure import audit_guard


def seal_legacy_entries(apps, schema_editor):
    from django.utils import timezone

    from disclosure.audit import append_entry

    entry_model = apps.get_model("disclosure", "AuditEntry")
    head_model = apps.get_model("disclosure", "AuditChainHead")
    count = entry_model.objects.count()
    if not count:
        return
    append_entry(
        entry_model,
        head_model,
        created_at=timezone.now(),
        actor_name="",
        action="other",
        object_type="",
        object_id="",
        object_repr="审计链",
        reason=f"审计链改用密钥(HMAC-SHA256):封存此前 {count} 条无密钥条目。",
        ip=None,
        details={"legacy_entries": count},
    )


def add_guards(apps, schema_editor):
    audit_guard.add_guards(schema_editor.connection)


def drop_guards(apps, schema_editor):
    audit_guard.drop_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0013_request_scope"),
    ]

    operations = [
        # Existing rows: version 1 (unkeyed); every new row: version 2 (keyed).
        migrations.AddField(
            model_name="auditentry",
            name="chain_version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="哈希版本"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="chain_version",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "SHA-256(无密钥,旧条目)"), (2, "HMAC-SHA256(密钥)")],
                default=2,
                verbose_name="哈希版本",
            ),
        ),
        # SQLite rebuilds the table for the new column, dropping its triggers: restore them.
        migrations.RunPython(add_guards, drop_guards),
        migrations.RunPython(seal_legacy_entries, migrations.RunPython.noop),
    ]
