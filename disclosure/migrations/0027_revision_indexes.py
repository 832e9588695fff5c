"""Revisions keep only the indexes they are read by (issue 15: the import's speed).

A record's revisions are looked up by the record (`id`) and ordered by `history_date`;
`history_user` is joined by its key. simple-history copied every foreign key's index and the
unique index number's two indexes onto the history table: fifteen indexes kept up on every
save and on every revision an import writes (two for each record it updates the first time),
never used by a query (grep for `history.filter`: all filter on `id`).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0026_search_publication_order'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='approved_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审核人'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='category',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='disclosure.category', verbose_name='目录'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='编制人'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='department',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='disclosure.organization', verbose_name='责任部门'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='genre',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='disclosure.genre', verbose_name='体裁'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='index_number',
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, verbose_name='信息索引号'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='organization',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='disclosure.organization', verbose_name='发布机构'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='published_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发布人'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='rejected_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='退回人'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='repealed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='disclosure.disclosurerecord', verbose_name='废止依据文件'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='submitted_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='提交人'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='topic',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='disclosure.topic', verbose_name='主题'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='updated_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='最后修改人'),
        ),
        migrations.AlterField(
            model_name='historicaldisclosurerecord',
            name='withdrawn_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='撤回人'),
        ),
    ]
