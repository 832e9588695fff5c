"""Index diet: drop the indexes that cost every write and serve no query.

- disclosure_auditentry: the varchar_pattern_ops ("_like") indexes that PostgreSQL gets with
  db_index=True / unique=True on a CharField, for LIKE 'x%', on action, object_type, object_id
  and entry_hash. No query uses LIKE or startswith on them (the admin filters by equality and
  searches with icontains, which cannot use them); the plain btree indexes and the uniqueness of
  entry_hash stay, now named in Meta (audit_action, audit_object_type, audit_object_id,
  audit_entry_hash_unique).
- disclosure_disclosurerecord: the FK indexes of submitted_by, approved_by, published_by,
  withdrawn_by and rejected_by (no query filters on them; created_by and updated_by, which
  disclosure.dashboard filters on, keep theirs), of category and organization (the leading
  column of record_category_pubdate and record_org_pubdate), and index_number's "_like" index
  (its uniqueness stays, as record_index_number_unique). The history table's index_number
  loses its two indexes with it (simple-history indexes the fields that are unique=True; no
  query reads revisions by index number).

Deleting a user now scans the records table once per workflow column it is cleared from
(SET NULL); a rare act of an administrator, against an index update on every record written.

PostgreSQL builds the kept indexes again under their new names, in the migration's one
transaction, after dropping the old ones: both tables stay locked (ACCESS EXCLUSIVE: reads wait
too, every record page and every audited action) until it commits. Measured on the import
benchmark's database: the unique index on index_number 0.8 s at 100,000 records; on 1,175,042
audit entries the unique entry_hash index 4.3 s and the object_id index 3.0 s; so about 20 s
in all at a million of each. Deploy it in a quiet hour. (Renaming the existing indexes instead,
with SeparateDatabaseAndState, would build nothing; not done.) SQLite rebuilds both tables: a rebuilt table loses its triggers, so
the audit guards are put back after, and the search triggers, one of which reads the records
table and would make the rename at the end of the rebuild fail, are dropped before and put back.

Checked with EXPLAIN ANALYZE on PostgreSQL 30,000 generated records (generate_records), before
and after this migration: the five queries of disclosure.dashboard.dashboard_for (a reviewer),
records of a category and of an organization newest first, and the PROTECT checks (category_id
IN / organization_id IN, LIMIT 1) have the same plans: the dashboard's rejected-to-me query
still a BitmapOr of the created_by and updated_by indexes, the others record_status_published,
record_org_pubdate or record_category_pubdate (Index Cond: category_id = / organization_id =).
All of a category's ids went from the dropped category_id index to record_category_pubdate.
The dashboard's expiring query (valid_until) was and stays a sequential scan.

Written on a branch as 0027 and renumbered after 0027 (revision indexes) and 0028 (LZ4), which
landed first; the history table's index_number indexes were already gone by 0027 then.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from disclosure import audit_guard

SEARCH_TRIGGERS = importlib.import_module(
    "disclosure.migrations.0026_search_publication_order"
).TRIGGERS
SEARCH_TRIGGER_NAMES = ["disclosure_search_fts_ai", "disclosure_search_fts_ad", "disclosure_search_fts_au"]


def _on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    return run


drop_search_triggers = _on_sqlite([f"DROP TRIGGER IF EXISTS {name}" for name in SEARCH_TRIGGER_NAMES])
create_search_triggers = _on_sqlite(SEARCH_TRIGGERS)


def add_audit_guards(apps, schema_editor):
    audit_guard.add_guards(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0028_body_lz4'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, add_audit_guards),
        migrations.RunPython(drop_search_triggers, create_search_triggers),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('create', '创建'), ('edit', '修改'), ('submit', '提交审核'), ('approve', '审核通过'), ('reject', '退回修改'), ('publish', '发布'), ('schedule', '定时发布'), ('withdraw', '撤回'), ('repeal', '废止'), ('restore', '恢复版本'), ('status_change', '进展变更'), ('login', '登录'), ('login_failed', '登录失败'), ('logout', '退出'), ('permission_denied', '拒绝操作'), ('export', '导出'), ('import', '导入'), ('other', '其他'), ('request_submit', '收到公开申请'), ('request_register', '登记公开申请'), ('request_correction', '告知补正'), ('request_correction_received', '收到补正'), ('request_consultation', '征求第三方意见'), ('request_extend', '延长答复期限'), ('request_answer', '答复公开申请'), ('request_close', '办结公开申请'), ('request_anonymize', '申请人信息匿名化'), ('annual_report_refresh', '统计年度报告'), ('annual_report_publish', '发布年度报告'), ('annual_report_submit', '年度报告提交审核')], max_length=30, verbose_name='操作'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='entry_hash',
            field=models.CharField(max_length=64, verbose_name='本条哈希'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='object_id',
            field=models.CharField(blank=True, max_length=64, verbose_name='对象编号'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='object_type',
            field=models.CharField(blank=True, max_length=100, verbose_name='对象类型'),
        ),
        migrations.AlterField(
            model_name='disclosurerecord',
            name='approved_by',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审核人'),
        ),
        migrations.AlterField(
            model_name='disclosurerecord',
            name='category',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='records', to='disclosure.category', verbose_name='目录'),
        ),
        migrations.AlterField(
            model_name='disclosurerecord',
            name='index_number',
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, verbose_name='信息索引号'),
        ),
        migrations.AlterField(
            model_name='disclosurerecord',
            name='organization',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='records', to='disclosure.organization', verbose_name='发布机构'),
        ),
        migrations.AlterField(
            model_name='disclosurerecord',
            name='published_by',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发布人'),
        ),
        migrations.AlterField(
            model_name='disclosurerecord',
            name='rejected_by',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='退回人'),
        ),
        migrations.AlterField(
            model_name='disclosurerecord',
            name='submitted_by',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='提交人'),
        ),
        migrations.AlterField(
            model_name='disclosurerecord',
            name='withdrawn_by',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='撤回人'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='index_number',
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, verbose_name='信息索引号'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['action'], name='audit_action'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['object_type'], name='audit_object_type'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['object_id'], name='audit_object_id'),
        ),
        migrations.AddConstraint(
            model_name='auditentry',
            constraint=models.UniqueConstraint(fields=('entry_hash',), name='audit_entry_hash_unique'),
        ),
        migrations.AddConstraint(
            model_name='disclosurerecord',
            constraint=models.UniqueConstraint(fields=('index_number',), name='record_index_number_unique'),
        ),
        migrations.RunPython(create_search_triggers, drop_search_triggers),
        migrations.RunPython(add_audit_guards, migrations.RunPython.noop),
    ]
