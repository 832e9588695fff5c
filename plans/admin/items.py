"""Plan items in the admin: tracking each item (status, progress notes, follow-up, evidence).

Every change goes through plans.services, so status changes, follow-up links and evidence are
audited whichever page they come from; the choices offered are only what the user may see.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.db.models import Q

from disclosure.models import DisclosureRecord
from disclosure.roles import accessible_organization_ids
from plans.models import PlanItem, PlanProgressNote
from plans.services import (
    PlanError,
    add_evidence,
    add_progress_note,
    change_item_status,
    follow_up_problem,
    link_follow_up,
    linkable_follow_ups,
    linkable_records,
    remove_evidence,
    suggest_follow_ups,
    update_item,
)


class PlanProgressNoteInline(admin.TabularInline):
    model = PlanProgressNote
    extra = 0
    readonly_fields = ("noted_on", "text", "created_by", "created_at")
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id input that names the chosen object only when it is among `queryset`: Django's
    own looks any id up, so typing another bureau's item id would show its heading."""

    def __init__(self, rel, admin_site, *, queryset, **kwargs) -> None:
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        try:
            allowed = self.queryset.filter(pk=value).exists()
        except (TypeError, ValueError):
            allowed = False
        return super().label_and_url_for_value(value) if allowed else ("", "")


class PlanItemForm(forms.ModelForm):
    """Status, follow-up, evidence and notes are handed to the services by PlanItemAdmin.

    `user` (set by PlanItemAdmin.get_form) narrows the suggestions and the checks to the
    documents that user may see or the public may.
    """

    user = None

    new_note = forms.CharField(
        label="新增进展情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="填写后随保存记入“进展情况”,公开页面按日期显示。",
    )
    noted_on = forms.DateField(label="进展日期", required=False, help_text="留空为今天。")
    suggested_follow_up = forms.TypedChoiceField(
        label="建议的后续报告事项",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text="按标题和内容相似度推荐的后来总结中的事项;选中即设为后续报告事项。",
    )

    class Meta:
        model = PlanItem
        fields = ["heading", "text", "responsible", "due_on", "status", "follow_up", "evidence"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[int | str, str]] = [("", "不采用")]
        if self.instance.pk:
            choices += [
                (
                    s.item.pk,
                    f"{s.item.section.plan.record.title}:{s.item.heading}(相似度 {s.score:.2f})",
                )
                for s in suggest_follow_ups(item=self.instance, user=self.user)
            ]
        suggested = self.fields["suggested_follow_up"]
        assert isinstance(suggested, forms.TypedChoiceField)
        suggested.choices = choices

    def clean(self):
        data = super().clean()
        if data.get("suggested_follow_up"):
            data["follow_up"] = PlanItem.objects.select_related("section__plan__record").get(
                pk=data["suggested_follow_up"]
            )
        if self.instance.pk:
            problem = follow_up_problem(
                item=self.instance, follow_up=data.get("follow_up"), actor=self.user
            )
            if problem:
                self.add_error("follow_up", problem)
        return data


@admin.register(PlanItem)
class PlanItemAdmin(admin.ModelAdmin):
    form = PlanItemForm
    list_display = ["heading", "plan_record", "section", "ordinal", "status", "responsible"]
    list_filter = ["status", "section__kind", "responsible"]
    list_select_related = ["section__plan__record", "responsible"]
    search_fields = ["heading", "text", "section__plan__record__title"]
    raw_id_fields = ["follow_up", "evidence"]
    readonly_fields = ["section", "ordinal", "status_changed_at"]
    fieldsets = [
        (None, {"fields": ["section", "ordinal", "heading", "text"]}),
        ("跟踪", {"fields": ["responsible", "due_on", "status", "status_changed_at"]}),
        ("进展情况", {"fields": ["new_note", "noted_on"]}),
        ("关联", {"fields": ["suggested_follow_up", "follow_up", "evidence"]}),
    ]
    inlines = [PlanProgressNoteInline]
    # exchange.admin adds its export_plan_items_csv/_xlsx actions.
    actions: list = []

    def has_add_permission(self, request) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("disclosure.export_records"):
            for name in ("export_plan_items_csv", "export_plan_items_xlsx"):
                actions.pop(name, None)
        return actions

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Only items of documents the editor may see or the public may; the form validates
        the id against this queryset, so a typed-in id of another bureau's draft is refused."""
        if db_field.name == "follow_up":
            queryset = linkable_follow_ups(user=request.user).select_related(
                "section__plan__record"
            )
            kwargs["queryset"] = queryset
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, queryset=queryset
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "evidence":
            kwargs["queryset"] = linkable_records(user=request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        """Staff see the items of their organization's documents or those it is responsible for."""
        queryset = super().get_queryset(request)
        ids = accessible_organization_ids(request.user)
        if ids is None:
            return queryset
        return queryset.filter(
            Q(section__plan__record__organization_id__in=ids)
            | Q(section__plan__record__department_id__in=ids)
            | Q(responsible_id__in=ids)
        )

    @admin.display(description="所属文件", ordering="section__plan__record__title")
    def plan_record(self, item: PlanItem) -> str:
        return item.section.plan.record.title

    def save_model(self, request, obj: PlanItem, form, change: bool) -> None:
        """Every change goes through the audited services: the item's own fields, its status
        with a note, its follow-up link (the evidence in save_related)."""
        data = form.cleaned_data
        stored = PlanItem.objects.get(pk=obj.pk)
        new_status, new_follow_up = obj.status, data.get("follow_up")
        obj.status, obj.follow_up_id = stored.status, stored.follow_up_id
        try:
            update_item(
                item=obj, actor=request.user, heading=obj.heading, text=obj.text,
                responsible_id=obj.responsible_id, due_on=obj.due_on,
            )  # fmt: skip
        except PlanError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        note, noted_on = data.get("new_note", "").strip(), data.get("noted_on")
        try:
            if new_status != stored.status:
                change_item_status(
                    item=obj, status=new_status, actor=request.user, note=note, noted_on=noted_on
                )
            elif note:
                add_progress_note(item=obj, text=note, actor=request.user, noted_on=noted_on)
            if (new_follow_up.pk if new_follow_up else None) != stored.follow_up_id:
                link_follow_up(item=obj, follow_up=new_follow_up, actor=request.user)
        except PlanError as error:
            self.message_user(request, str(error), messages.ERROR)

    def save_related(self, request, form, formsets, change: bool) -> None:
        item = form.instance
        before = set(item.evidence.values_list("pk", flat=True))
        after = {record.pk: record for record in form.cleaned_data.get("evidence", [])}
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        try:
            for pk in set(after) - before:
                add_evidence(item=item, record=after[pk], actor=request.user)
            for record in DisclosureRecord.objects.filter(pk__in=before - set(after)):
                remove_evidence(item=item, record=record, actor=request.user)
        except PlanError as error:
            self.message_user(request, str(error), messages.ERROR)
