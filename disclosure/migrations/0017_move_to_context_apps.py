"""The bounded contexts leave the records core: 依申请公开 (applications), work plans (plans),
the annual report (reports), export jobs (exchange) and the search index (search).

Only Django's state moves: every table keeps its disclosure_* name and its rows (each model sets
`db_table`), the new apps' 0001 migrations create the same models state-only. The content types
move with them (their rows change app_label, keeping their ids), so the permissions attached to
them, and with them the role groups and each person's own grants, and the admin's log entries,
keep working.
"""

from django.db import migrations

#: model (lower case) -> its new app label.
MOVED = {
    "informationrequest": "applications",
    "requestevent": "applications",
    "replytemplate": "applications",
    "workplan": "plans",
    "plansection": "plans",
    "planitem": "plans",
    "planprogressnote": "plans",
    "annualreport": "reports",
    "exportjob": "exchange",
    "searchentry": "search",
}


def _move_content_types(apps, schema_editor, *, forward: bool) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model, new_label in MOVED.items():
        old, new = ("disclosure", new_label) if forward else (new_label, "disclosure")
        if content_type.objects.using(db).filter(app_label=new, model=model).exists():
            # Already there (created by a post_migrate that ran before this migration):
            # the old row, if any, is the one the permissions point at; keep it instead.
            if not content_type.objects.using(db).filter(app_label=old, model=model).exists():
                continue
            content_type.objects.using(db).filter(app_label=new, model=model).delete()
        content_type.objects.using(db).filter(app_label=old, model=model).update(app_label=new)
    content_type.objects.clear_cache()


def move_content_types(apps, schema_editor):
    _move_content_types(apps, schema_editor, forward=True)


def move_content_types_back(apps, schema_editor):
    _move_content_types(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0014_audit_chain_key'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    # State only: the tables keep their disclosure_* names and their rows (see docs/architecture.md).
    state_operations = [
        migrations.RemoveField(
            model_name='annualreport',
            name='organization',
        ),
        migrations.RemoveField(
            model_name='annualreport',
            name='record',
        ),
        migrations.RemoveField(
            model_name='exportjob',
            name='requested_by',
        ),
        migrations.RemoveField(
            model_name='informationrequest',
            name='created_by',
        ),
        migrations.RemoveField(
            model_name='informationrequest',
            name='extension_approved_by',
        ),
        migrations.RemoveField(
            model_name='informationrequest',
            name='organization',
        ),
        migrations.RemoveField(
            model_name='informationrequest',
            name='replied_by',
        ),
        migrations.RemoveField(
            model_name='requestevent',
            name='request',
        ),
        migrations.RemoveField(
            model_name='planitem',
            name='evidence',
        ),
        migrations.RemoveField(
            model_name='planitem',
            name='follow_up',
        ),
        migrations.RemoveField(
            model_name='planitem',
            name='responsible',
        ),
        migrations.RemoveField(
            model_name='planitem',
            name='section',
        ),
        migrations.RemoveField(
            model_name='planprogressnote',
            name='item',
        ),
        migrations.RemoveField(
            model_name='planprogressnote',
            name='created_by',
        ),
        migrations.RemoveField(
            model_name='plansection',
            name='plan',
        ),
        migrations.DeleteModel(
            name='ReplyTemplate',
        ),
        migrations.RemoveField(
            model_name='requestevent',
            name='actor',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='record',
        ),
        migrations.RemoveField(
            model_name='workplan',
            name='record',
        ),
        migrations.DeleteModel(
            name='AnnualReport',
        ),
        migrations.DeleteModel(
            name='ExportJob',
        ),
        migrations.DeleteModel(
            name='InformationRequest',
        ),
        migrations.DeleteModel(
            name='PlanItem',
        ),
        migrations.DeleteModel(
            name='PlanProgressNote',
        ),
        migrations.DeleteModel(
            name='PlanSection',
        ),
        migrations.DeleteModel(
            name='RequestEvent',
        ),
        migrations.DeleteModel(
            name='SearchEntry',
        ),
        migrations.DeleteModel(
            name='WorkPlan',
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
