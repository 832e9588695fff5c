from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from js_asset import Media

from disclosure.admin.record_actions import RecordActionsMixin, may_repeal
from disclosure.admin.record_forms import (
    BODY_EDITOR_STYLE_HASH,
    AttachmentInline,
    RecordForm,
    RevisionAttachmentFormSet,
    RevisionAttachmentInline,
    ValidityFilter,
    YearFilter,
    ancestor_ids,
    audit_denial,
    beijing,
)
from disclosure.admin.topics import GroupedTopicSelect
from disclosure.admin.workflow import (
    BEIJING,
    TransitionForm,
    client_ip,
    needs_form,
    perform,
    perform_many,
)
from disclosure.audit import record_event
from disclosure.calendar import WorkingCalendar
from disclosure.choices import RecordStatus
from disclosure.dashboard import article26_deadline, published_late
from disclosure.models import (
    AuditAction,
    DisclosureRecord,
    StaffProfile,
)
from disclosure.roles import accessible_organization_ids, scope_records
from disclosure.services.editing import (
    AttachmentChanges,
    can_edit_record,
    can_revise,
    changes_since_published,
    create_draft,
    published_revision,
    same_document_number,
    update_record,
)
from disclosure.services.revisions import (
    pending_revision_of,
    revision_transitions,
    save_revision,
    with_revision,
)
from disclosure.workflow import TRANSITIONS, WorkflowError, allowed_transitions

admin.site.site_header = "政府信息公开平台 管理后台"
admin.site.site_title = "政府信息公开平台"
admin.site.index_title = "信息公开管理"


def _bulk_action(name: str):
    transition = TRANSITIONS[name]

    def action(modeladmin, request, queryset):
        records = list(queryset)
        data = {}
        if needs_form(name):
            form = TransitionForm(
                request.POST if "apply" in request.POST else None, transition=name
            )
            if not form.is_valid():
                return TemplateResponse(
                    request,
                    "admin/disclosure/transition_form.html",
                    {
                        **modeladmin.admin_site.each_context(request),
                        "title": f"批量{transition.label}",
                        "form": form,
                        "records": records,
                        "action": f"transition_{name}",
                        "bulk": True,
                        "opts": modeladmin.model._meta,
                    },
                )
            data = form.cleaned_data
        perform_many(name=name, records=records, request=request, data=data)
        return None

    action.__name__ = f"transition_{name}"
    action.short_description = f"{transition.label}所选信息"
    return action


@admin.register(DisclosureRecord)
class DisclosureRecordAdmin(RecordActionsMixin, admin.ModelAdmin):
    form = RecordForm
    list_display = [
        "title",
        "index_number",
        "organization",
        "issued_on",
        "status_label",
        "validity",
        "published_at_beijing",
    ]
    list_filter = ["status", "organization", "category", YearFilter, ValidityFilter]
    search_fields = ["title", "index_number", "document_number", "summary"]
    date_hierarchy = "issued_on"
    exclude = ["published_at"]  # set only by publish_record
    readonly_fields = [
        "index_number",
        "status_label",
        "published_at_beijing",
        "validity",
        "article26",
        "version",
        "workflow_trail",
    ]
    autocomplete_fields = ["organization", "department", "topic", "genre", "repealed_by"]
    # keywords are a field of the form (RecordForm.keywords_text), saved by the services
    inlines = [AttachmentInline, RevisionAttachmentInline]
    list_select_related = ["organization", "category"]
    change_form_template = "admin/disclosure/disclosurerecord/change_form.html"
    change_list_template = "admin/disclosure/disclosurerecord/change_list.html"
    # exchange.admin adds its export_selected_records action (the core never imports it).
    actions = [*(_bulk_action(name) for name in TRANSITIONS)]

    # Display ------------------------------------------------------------------------------

    @admin.display(description="状态", ordering="status")
    def status_label(self, obj):
        """A publication scheduled for later is 定时发布 until it goes out, not 已发布."""
        moment = obj.scheduled_publish_at
        if obj.status == RecordStatus.PUBLISHED and moment and moment > timezone.now():
            return f"定时发布({beijing(obj.scheduled_publish_at)})"
        return obj.get_status_display()

    @admin.display(description="有效性")
    def validity(self, obj):
        return obj.validity_status().label

    @admin.display(description=f"发布时间({BEIJING})", ordering="published_at")
    def published_at_beijing(self, obj):
        if obj.scheduled_publish_at:
            return f"定时:{beijing(obj.scheduled_publish_at)}"
        return beijing(obj.published_at)

    @admin.display(description="公开时限(条例第二十六条)")
    def article26(self, obj):
        if not obj.pk or not obj.issued_on:
            return "-"
        calendar = WorkingCalendar()
        deadline = article26_deadline(obj, calendar=calendar)
        if published_late(obj, calendar=calendar):
            return f"应于 {deadline:%Y-%m-%d} 前公开 · 逾期公开"
        if obj.publication_date is None and deadline < timezone.localdate():
            return f"应于 {deadline:%Y-%m-%d} 前公开 · 已逾期"
        return f"应于 {deadline:%Y-%m-%d} 前公开(发文日期起 20 个工作日)"

    @admin.display(description="流程记录")
    def workflow_trail(self, obj):
        rows = [
            ("编制人", obj.created_by, obj.created_at),
            ("提交", obj.submitted_by, obj.submitted_at),
            ("审核", obj.approved_by, obj.approved_at),
            ("退回", obj.rejected_by, obj.rejected_at),
            ("发布", obj.published_by, obj.published_at),
            ("撤回", obj.withdrawn_by, obj.withdrawn_at),
        ]
        parts = [f"{label}:{who or '-'} {beijing(when)}" for label, who, when in rows if when]
        if obj.rejection_reason:
            parts.append(f"退回理由:{obj.rejection_reason}")
        if obj.withdrawal_reason:
            parts.append(f"撤回理由:{obj.withdrawal_reason}")
        if obj.scheduled_publish_at:
            parts.append(f"定时发布:{beijing(obj.scheduled_publish_at)}")
        return ";".join(parts) or "-"

    # Scope and permissions ------------------------------------------------------------------

    def get_queryset(self, request):
        return scope_records(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "topic":
            kwargs["widget"] = GroupedTopicSelect(db_field, self.admin_site)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("organization", "department"):
            ids = accessible_organization_ids(request.user)
            if ids is not None and db_field.name == "organization":
                # a department drafts in its bureau's name: the bureau is a valid 发布机构
                ids = ids | ancestor_ids(ids)
            if ids is not None:
                field.queryset = field.queryset.filter(pk__in=ids)
        return field

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return (
            obj is None
            or can_edit_record(user=request.user, record=obj)
            or (can_revise(user=request.user, record=obj))
        )

    def get_object(self, request, object_id, from_field=None):
        """A published record opens with its pending revision's content (live + draft)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and obj.status == RecordStatus.PUBLISHED:
            return with_revision(obj, pending_revision_of(obj))
        return obj

    def get_inline_instances(self, request, obj=None):
        """A published record's 附件 change in its pending revision (RevisionAttachmentInline)."""
        published = obj is not None and obj.status == RecordStatus.PUBLISHED
        return [
            inline
            for inline in super().get_inline_instances(request, obj)
            if published or not isinstance(inline, RevisionAttachmentInline)
        ]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, RevisionAttachmentInline):
            kwargs["initial"] = inline.seed(obj)
        return kwargs

    def has_delete_permission(self, request, obj=None):
        """Only a draft never published may be deleted; the rest is withdrawn instead."""
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or (obj.status == "draft" and not obj.index_number)

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name, transition in TRANSITIONS.items():
            if not request.user.has_perm(transition.permission):
                actions.pop(f"transition_{name}", None)
        if not request.user.has_perm("disclosure.export_records"):
            actions.pop("export_selected_records", None)
        return actions

    def get_changeform_initial_data(self, request):
        """A new record starts in the editor's own department (and its bureau as 发布机构)."""
        initial = super().get_changeform_initial_data(request)
        profile = StaffProfile.objects.filter(user_id=request.user.pk).first()
        if profile is not None:
            own = profile.organization
            initial.setdefault("organization", own.parent_id or own.pk)
            if own.parent_id:
                initial.setdefault("department", own.pk)
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    # Saving through the services ------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        """Nothing here: save_related saves the record, keywords and attachments in one
        service call, so the audit entry lists them all."""

    def save_related(self, request, form, formsets, change):
        record, ip = form.instance, client_ip(request)
        attachments = AttachmentChanges()
        revised = None
        for formset in formsets:
            saved = formset.save(commit=False)  # nothing written: the services save
            if isinstance(formset, RevisionAttachmentFormSet):
                revised = formset.entries()
                continue
            attachments.saved.extend(saved)
            attachments.deleted.extend(formset.deleted_objects)
        if change and record.status == RecordStatus.PUBLISHED:
            save_revision(
                record=record, actor=request.user, keywords=form.keywords(),
                attachments=revised, ip=ip,
            )  # fmt: skip
            messages.info(
                request, "修改已保存为待发布的修订;已发布的版本仍然公开,修订经审核发布后替换它。"
            )
        elif change:
            update_record(
                record=record,
                actor=request.user,
                expected_version=form.cleaned_data.get("expected_version") or record.version,
                keywords=form.keywords(),
                attachments=attachments,
                ip=ip,
            )
        else:
            create_draft(
                record=record, actor=request.user, keywords=form.keywords(),
                attachments=attachments, ip=ip,
            )  # fmt: skip
        self._warn_same_document_number(request, record)

    def _warn_same_document_number(self, request, record):
        same = same_document_number(record=record)
        if same:
            titles = "、".join(f"「{r.title}」(ID {r.pk})" for r in same)
            messages.warning(
                request,
                f"文件编号「{record.document_number}」在本机构{record.issued_on:%Y}年已被使用:"
                f"{titles}。请核对是否重复录入或编号有误。",
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PermissionDenied:
            audit_denial(request, "change" if object_id else "add", object_id)
            raise
        except WorkflowError as exc:
            # the admin's transaction was rolled back, the service's refusal entry with it
            record_event(
                action=AuditAction.PERMISSION_DENIED,
                actor=request.user,
                reason=str(exc),
                ip=client_ip(request),
                details={"attempted": "edit", "object_id": object_id},
            )
            messages.error(request, str(exc))
            if object_id:
                return HttpResponseRedirect(request.path)
            return HttpResponseRedirect(reverse("admin:disclosure_disclosurerecord_changelist"))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            revision = pending_revision_of(obj) if obj.status == RecordStatus.PUBLISHED else None
            context["transitions"] = allowed_transitions(user=request.user, record=obj)
            context["has_published_revision"] = published_revision(record=obj) is not None
            context["revision"] = revision
            context["revision_transitions"] = revision_transitions(
                user=request.user, revision=revision
            )
            context["can_repeal"] = may_repeal(request.user, obj)
        # the 正文 editor's import map is an inline script: it carries the page's CSP nonce
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        response = super().render_change_form(request, context, add, change, form_url, obj)
        response._csp_update = {"style-src": [BODY_EDITOR_STYLE_HASH]}  # django-csp, this page
        return response

    # Extra pages ----------------------------------------------------------------------------

    def get_urls(self):
        extra = [
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="disclosure_disclosurerecord_dashboard",
            ),
            path(
                "<int:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="disclosure_disclosurerecord_transition",
            ),
            path(
                "<int:object_id>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name="disclosure_disclosurerecord_revisions",
            ),
        ]
        return extra + self.record_action_urls() + super().get_urls()

    def _get_scoped(self, request, object_id):
        if not self.has_view_permission(request):
            audit_denial(request, "view", object_id)
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def transition_view(self, request, object_id, name):
        if name not in TRANSITIONS:
            raise PermissionDenied
        record = self._get_scoped(request, object_id)
        transition = TRANSITIONS[name]
        if not request.user.has_perm(transition.permission):
            # refused roles never see the confirmation page of an action they cannot run
            audit_denial(request, f"transition:{name}", object_id)
            raise PermissionDenied
        form = TransitionForm(request.POST or None, transition=name)
        if request.method == "POST" and form.is_valid():
            try:
                perform(name=name, record=record, request=request, data=form.cleaned_data)
            except WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"「{record.title}」已{transition.label}。")
                return HttpResponseRedirect(
                    reverse("admin:disclosure_disclosurerecord_change", args=[record.pk])
                )
        return TemplateResponse(
            request,
            "admin/disclosure/transition_form.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{transition.label}:{record.title}",
                "form": form,
                "records": [record],
                "record": record,
                "bulk": False,
                "opts": self.model._meta,
                "changes_since_published": changes_since_published(record=record),
            },
        )
