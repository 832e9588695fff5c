"""Staff pages for work plans: split a record into items, review, then track each item.

Writes go through plans.services, so splitting, status changes, follow-up links and evidence
are audited whichever page they come from.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from disclosure.models import DisclosureRecord
from disclosure.numbers import number_or_none
from disclosure.roles import accessible_organization_ids, scope_records
from plans.choices import PlanSectionKind
from plans.models import PlanItem, PlanProgressNote, PlanSection, WorkPlan
from plans.parser import ParsedItem, ParsedPlan, ParsedSection, parse_plan
from plans.services import (
    PlanError,
    add_evidence,
    add_progress_note,
    change_item_status,
    follow_up_problem,
    link_follow_up,
    linkable_follow_ups,
    linkable_records,
    may_split_plans,
    remove_evidence,
    split_plan,
    suggest_follow_ups,
    update_item,
)


def flags_html(flags: list[dict]) -> str:
    if not flags:
        return "无"
    return format_html(
        '<ul class="plan-parser-flags">{}</ul>',
        format_html_join("", "<li>{}</li>", ((flag["message"],) for flag in flags)),
    )


class SectionProposalForm(forms.Form):
    heading = forms.CharField(label="部分标题", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=PlanSectionKind.choices)


class ItemProposalForm(forms.Form):
    heading = forms.CharField(
        label="事项", max_length=300, required=False, widget=forms.TextInput(attrs={"size": 60})
    )
    text = forms.CharField(
        label="内容", required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 90})
    )
    drop = forms.BooleanField(label="不保存此项", required=False)

    def clean(self):
        data = super().clean()
        if not data.get("drop") and not (data.get("heading") or "").strip():
            raise forms.ValidationError("事项标题不能为空(或勾选“不保存此项”)。")
        return data


#: Items per section on the proposal page: a posted count beyond it is no count at all.
MAX_PROPOSED_ITEMS = 1000


class RecordPickForm(forms.Form):
    record = forms.CharField(
        label="公开信息", help_text="填写公开信息的编号(ID)、信息索引号或完整标题。"
    )

    def clean_record(self) -> DisclosureRecord:
        value = self.cleaned_data["record"].strip()
        query = Q(index_number=value) | Q(title=value)
        if (pk := number_or_none(value, minimum=1)) is not None:
            query |= Q(pk=pk)
        found = list(DisclosureRecord.objects.filter(query)[:2])
        if len(found) != 1:
            raise forms.ValidationError("没有找到唯一对应的公开信息,请改填编号(ID)。")
        return found[0]


class ProposalForms:
    """The proposed sections and items as one editable page (prefixes s1, s1-i1, …)."""

    def __init__(self, parsed: ParsedPlan, data=None, saved=None) -> None:
        """`saved` maps (section, item) numbers to the saved (heading, text), to mark changes."""
        saved = saved or {}
        self.sections = []
        for section in parsed.sections:
            prefix = f"s{section.ordinal}"
            count = len(section.items)
            if data is not None:
                raw = data.get(f"{prefix}-item_count", "")
                count = number_or_none(raw, maximum=MAX_PROPOSED_ITEMS) or 0
            section_form = SectionProposalForm(
                data, prefix=prefix, initial={"heading": section.heading, "kind": section.kind}
            )
            item_forms = []
            for n in range(1, count + 1):
                original = section.items[n - 1] if n <= len(section.items) else None
                initial = {"heading": original.heading, "text": original.text} if original else {}
                current = saved.get((section.ordinal, n))
                change = (
                    "新增"
                    if current is None
                    else (
                        "不变"
                        if original and current == (original.heading, original.text)
                        else "更新"
                    )
                )
                form = ItemProposalForm(data, prefix=f"{prefix}-i{n}", initial=initial)
                item_forms.append((original, form, change))
            self.sections.append((section, section_form, item_forms))

    def is_valid(self) -> bool:
        results = [form.is_valid() for _, form, _ in self.sections]
        results += [form.is_valid() for _, _, items in self.sections for _, form, _ in items]
        return all(results)

    def proposal(self, anomalies) -> ParsedPlan:
        sections = []
        for index, (_, form, items) in enumerate(self.sections, start=1):
            parsed_items = [
                ParsedItem(n, f.cleaned_data["heading"].strip(), f.cleaned_data["text"].strip())
                for n, (_, f, _) in enumerate(items, start=1)
                if not f.cleaned_data.get("drop")
            ]
            sections.append(
                ParsedSection(
                    index, form.cleaned_data["heading"], form.cleaned_data["kind"], parsed_items
                )
            )
        return ParsedPlan(sections, anomalies)


class PlanSectionInline(admin.TabularInline):
    model = PlanSection
    extra = 0
    fields = ["ordinal", "heading", "kind", "item_links"]
    readonly_fields = ["ordinal", "heading", "kind", "item_links"]
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="事项(点击跟踪进展)")
    def item_links(self, section: PlanSection) -> str:
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 - a constant separator
            '<a href="{}">{}. {}</a>({})',
            (
                (
                    reverse("admin:plans_planitem_change", args=[i.pk]),
                    i.ordinal,
                    i.heading,
                    i.get_status_display(),
                )
                for i in section.items.order_by("ordinal")
            ),
        )


@admin.register(WorkPlan)
class WorkPlanAdmin(admin.ModelAdmin):
    list_display = ["record", "organization", "item_count", "flag_count", "split_at"]
    list_select_related = ["record__organization"]
    search_fields = ["record__title", "record__index_number"]
    list_filter = ["record__organization"]
    fields = ["record", "split_link", "public_link", "flags", "split_at"]
    readonly_fields = ["record", "split_link", "public_link", "flags", "split_at"]
    inlines = [PlanSectionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("sections__items"))

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="发布机构")
    def organization(self, plan: WorkPlan) -> str:
        return plan.record.organization.name

    @admin.display(description="事项数", ordering="n_items")
    def item_count(self, plan: WorkPlan) -> int:
        return plan.n_items

    @admin.display(description="解析提示")
    def flag_count(self, plan: WorkPlan) -> str:
        return f"{len(plan.parser_flags)} 条" if plan.parser_flags else "无"

    @admin.display(description="解析提示")
    def flags(self, plan: WorkPlan) -> str:
        return flags_html(plan.parser_flags)

    @admin.display(description="拆分")
    def split_link(self, plan: WorkPlan) -> str:
        url = reverse("admin:plans_workplan_split", args=[plan.record_id])
        return format_html('<a href="{}">重新拆分为计划事项(先预览,保存前可修改)</a>', url)

    @admin.display(description="公开页面")
    def public_link(self, plan: WorkPlan) -> str:
        return format_html('<a href="{}">落实情况公开页面</a>', plan.get_absolute_url())

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("split/", view(self.pick_record_view), name="plans_workplan_split_pick"),
            path(
                "split/<int:record_pk>/",
                view(self.split_view),
                name="plans_workplan_split",
            ),
            *super().get_urls(),
        ]

    def _check_permission(self, request: HttpRequest, record: DisclosureRecord | None = None):
        if not may_split_plans(user=request.user, record=record):
            raise PermissionDenied

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_split": may_split_plans(user=request.user)}
        return super().changelist_view(request, extra_context)

    def get_fields(self, request, obj=None):
        """The split link only for those who may split this plan's record."""
        fields = list(super().get_fields(request, obj))
        if obj is None or not may_split_plans(user=request.user, record=obj.record):
            fields.remove("split_link")
        return fields

    def pick_record_view(self, request: HttpRequest) -> HttpResponse:
        """Entry point: choose the record whose body is to be split."""
        self._check_permission(request)
        form = RecordPickForm(request.GET or None)
        if form.is_valid():
            record = form.cleaned_data["record"]
            return HttpResponseRedirect(
                reverse("admin:plans_workplan_split", args=[record.pk])
            )
        candidates = (
            scope_records(request.user, DisclosureRecord.objects.all())
            .filter(work_plan__isnull=True)
            .filter(
                Q(genre__name__in=["规划", "计划", "总结"])
                | Q(title__contains="计划")
                | Q(title__contains="总结")
            )
            .order_by("-issued_on")[:20]
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "拆分为计划事项:选择公开信息",
            "form": form,
            "candidates": candidates,
        }
        return TemplateResponse(request, "admin/plans/workplan/split_pick.html", context)

    def split_view(self, request: HttpRequest, record_pk: int) -> HttpResponse:
        """Propose the items parsed from the body; staff edit them, then save in one go."""
        self._check_permission(request)
        record = get_object_or_404(DisclosureRecord, pk=record_pk)
        self._check_permission(request, record)
        parsed = parse_plan(record.body)
        saved = {
            (s, i): (heading, text)
            for s, i, heading, text in PlanItem.objects.filter(
                section__plan__record=record
            ).values_list("section__ordinal", "ordinal", "heading", "text")
        }
        forms_ = ProposalForms(
            parsed, request.POST if request.method == "POST" else None, saved=saved
        )
        if request.method == "POST" and forms_.is_valid():
            result = split_plan(
                record=record, actor=request.user, parsed=forms_.proposal(parsed.anomalies)
            )
            self.message_user(
                request,
                f"已保存:新增 {result.created} 项,更新 {result.updated} 项,"
                f"删除 {result.removed} 项。",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:plans_workplan_change", args=[result.plan.pk])
            )
        existing = len(saved)
        proposed = {
            (s.ordinal, n) for s, _, items in forms_.sections for n in range(1, len(items) + 1)
        }
        vanishing = [saved[key][0] for key in sorted(saved) if key not in proposed]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"拆分为计划事项:{record.title}",
            "record": record,
            "sections": forms_.sections,
            "flags": flags_html([{"message": a.message} for a in parsed.anomalies]),
            "has_flags": bool(parsed.anomalies),
            "existing": existing,
            "vanishing": vanishing,
        }
        return TemplateResponse(request, "admin/plans/workplan/split.html", context)


class PlanProgressNoteInline(admin.TabularInline):
    model = PlanProgressNote
    extra = 0
    fields = ["noted_on", "text", "created_by", "created_at"]
    readonly_fields = fields
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
        choices = [("", "不采用")]
        if self.instance.pk:
            choices += [
                (
                    s.item.pk,
                    f"{s.item.section.plan.record.title}:{s.item.heading}(相似度 {s.score:.2f})",
                )
                for s in suggest_follow_ups(item=self.instance, user=self.user)
            ]
        self.fields["suggested_follow_up"].choices = choices

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
