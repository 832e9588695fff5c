"""The record change form: optimistic-lock check, upload checks, scope, list filters.

Refusals found while validating (a stale version, a disguised file, a record outside the
editor's organization) become form errors and are written to the audit log.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models.functions import ExtractYear
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django_prose_editor.widgets import AdminProseEditorWidget

from disclosure.admin.workflow import client_ip
from disclosure.attachments import check_upload
from disclosure.audit import record_event
from disclosure.choices import DisclosureForm
from disclosure.filters import MAX_YEAR, MIN_YEAR
from disclosure.models import (
    Attachment,
    AuditAction,
    DisclosureRecord,
    Organization,
    PendingAttachment,
    RevisionStatus,
)
from disclosure.numbers import number_or_none
from disclosure.roles import can_access_record
from disclosure.services.editing import EditConflict, can_revise, changes_since
from disclosure.services.records import split_keywords
from disclosure.services.revisions import (
    RevisionAttachment,
    pending_revision_of,
    revision_keywords,
)


def beijing(moment) -> str:
    """A system moment as staff read it: 北京时间, with the zone said out loud."""
    if moment is None:
        return "-"
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M} 北京时间"


class AttachmentForm(forms.ModelForm):
    """Checks the file by its content (disclosure.attachments) and records a refusal."""

    request = None

    class Meta:
        model = Attachment
        fields = ["title", "file", "position"]

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded is None or not hasattr(uploaded, "content_type"):
            return uploaded  # unchanged existing file
        try:
            checked = check_upload(uploaded)
        except ValidationError as exc:
            if self.request is not None:
                record_event(
                    action=AuditAction.PERMISSION_DENIED,
                    actor=self.request.user,
                    obj=self.instance.record if self.instance.record_id else None,
                    reason="; ".join(exc.messages),
                    ip=client_ip(self.request),
                    details={"attempted": "upload", "file": uploaded.name},
                )
            raise
        self.instance.original_name = checked.original_name
        self.instance.size = checked.size
        self.instance.content_type = checked.content_type
        return uploaded


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 0
    fields = ["title", "file", "original_name", "size", "content_type", "position"]
    readonly_fields = ["original_name", "size", "content_type"]

    def _published(self, obj) -> bool:
        """A published record's attachments change only through its pending revision
        (RevisionAttachmentInline): these, what the public sees, are read-only while live."""
        return obj is not None and obj.status == "published"

    def has_add_permission(self, request, obj=None):
        return not self._published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._published(obj) and super().has_delete_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"request": request})
        return formset


class RevisionAttachmentForm(AttachmentForm):
    """One 附件 of a published record's pending revision: kept, replaced (a new file), added."""

    current_file = forms.CharField(label="当前文件", required=False, disabled=True)

    class Meta:
        model = PendingAttachment
        fields = ["title", "file", "position", "published"]
        # the current file is shown by name; a new one replaces it (no "clear" box)
        widgets = {"published": forms.HiddenInput, "file": forms.FileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        row = self.instance
        if row.pk:
            source = row if row.file else row.published
            self.fields["current_file"].initial = source.original_name if source else ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("published") and not cleaned.get("file") and not self.instance.file:
            raise ValidationError("新增的附件须上传文件。", code="no_file")
        return cleaned


class RevisionAttachmentFormSet(BaseInlineFormSet):
    """The revision's whole list of 附件. A record without a revision yet starts from its
    published attachments (rows given as initial data, validated as rows, not blanks)."""

    editable = False

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields["published"].queryset = self.instance.attachments.all()
        if i >= self.initial_form_count() and form["published"].value():
            form.empty_permitted = False
        return form

    def entries(self) -> list[RevisionAttachment] | None:
        """The list for services.revisions.save_revision; None when this user may not change it."""
        if not self.editable:
            return None
        forms_kept = [
            (form.cleaned_data.get("position") or 0, i, form)
            for i, form in enumerate(self.forms)
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        entries = []
        for _, _, form in sorted(forms_kept, key=lambda kept: kept[:2]):
            data = form.cleaned_data
            upload = data.get("file")
            published = data.get("published")
            entries.append(
                RevisionAttachment(
                    title=data["title"],
                    row=form.instance.pk,
                    published=published.pk if published is not None else None,
                    upload=upload if hasattr(upload, "content_type") else None,
                )
            )
        return entries


def _revision_of(obj):
    """The record's pending revision, read once per page (the inline asks several times)."""
    if not hasattr(obj, "_revision_for_form"):
        obj._revision_for_form = pending_revision_of(obj)
    return obj._revision_for_form


def revision_attachments_editable(request, obj) -> bool:
    """The revision's 附件 change while it is a draft, by those who may revise the record."""
    if obj is None or not can_revise(user=request.user, record=obj):
        return False
    revision = _revision_of(obj)
    return revision is None or revision.status == RevisionStatus.DRAFT


class RevisionAttachmentInline(admin.TabularInline):
    """A published record's 附件 as its pending revision will have them; the public keeps the
    published ones (the inline above) until the revision is published."""

    model = PendingAttachment
    fk_name = "record"
    form = RevisionAttachmentForm
    formset = RevisionAttachmentFormSet
    extra = 0
    fields = ["title", "current_file", "file", "position", "published"]
    verbose_name = "修订后的附件"
    verbose_name_plural = "修订后的附件(修订经审核发布后替换上方已发布的附件)"

    def seed(self, obj) -> list[dict]:
        """A record without a revision: its published attachments, as the list to edit."""
        if obj is None or _revision_of(obj) is not None:
            return []
        return [
            {
                "title": a.title,
                "position": a.position,
                "published": a.pk,
                "current_file": a.original_name,
            }
            for a in obj.attachments.all()
        ]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("disclosure.view_disclosurerecord")

    def has_add_permission(self, request, obj=None):
        return revision_attachments_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return revision_attachments_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return revision_attachments_editable(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        attributes = {
            "request": request,
        }
        form = type(formset.form.__name__, (formset.form,), attributes)
        return type(
            formset.__name__,
            (formset,),
            {
                "form": form,
                "extra": len(self.seed(obj)),
                "editable": revision_attachments_editable(request, obj),
            },
        )


#: What the 正文 editor offers: the structure of a government document (headings, paragraphs,
#: lists, tables, links), nothing that carries a style. Pasting from Word/WPS keeps exactly
#: these; nh3 (disclosure/sanitize.py) cleans the result again on saving.
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [1, 2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
    "HTML": True,
}


#: The base ProseMirror CSS the editor (django-prose-editor 0.28, Tiptap) injects as a <style>
#: element: allowed by its hash, that exact text only, on the record form alone. A new editor
#: version changes it, and tests/browser/test_csp.py then fails.
BODY_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"


#: The editor's labels in Chinese: the editor writes its toolbar's titles and accessible names
#: in English and reads its dialogs' strings from window.gettext; this classic script (our own
#: static file, run before the editor's modules) translates both.
BODY_EDITOR_LABELS_JS = "portal/admin/prose-editor-zh.js"


class BodyEditorWidget(AdminProseEditorWidget):
    """The admin's prose editor with its toolbar and dialogs in Chinese."""

    @property
    def media(self):
        return forms.Media(js=[BODY_EDITOR_LABELS_JS]) + super().media


def body_editor() -> AdminProseEditorWidget:
    return BodyEditorWidget(config={"extensions": BODY_EDITOR_EXTENSIONS}, preset="configurable")


class RecordForm(forms.ModelForm):
    """Carries the version the editor loaded, for optimistic locking (see services.editing)."""

    class Meta:
        widgets = {"body": body_editor()}

    expected_version = forms.IntegerField(label="版本号", widget=forms.HiddenInput, required=False)
    disclosure_forms = forms.MultipleChoiceField(
        label="公开形式",
        choices=DisclosureForm.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="可多选。",
    )
    keywords_text = forms.CharField(
        label="关键词",
        required=False,
        max_length=500,
        help_text="多个关键词用逗号、顿号或空格分隔,按填写顺序显示。",
    )
    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version
        if self.instance.pk:
            self.fields["keywords_text"].initial = ",".join(revision_keywords(self.instance))

    def keywords(self) -> list[str]:
        return split_keywords(self.cleaned_data.get("keywords_text") or "")

    def clean(self):
        cleaned = super().clean()
        if self.request is not None and cleaned.get("organization"):
            probe = DisclosureRecord(
                organization=cleaned["organization"], department=cleaned.get("department")
            )
            if not can_access_record(self.request.user, probe):
                raise ValidationError(
                    "只能编制本机构或本部门的信息:请把「责任部门」设为您所在的部门。",
                    code="scope",
                )
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            current = DisclosureRecord.objects.filter(pk=self.instance.pk).values("version")
            current_version = current[0]["version"] if current else expected
            if current_version != expected:
                changes, editors = changes_since(record_pk=self.instance.pk, version=expected)
                exc = EditConflict(
                    conflict_message(self.instance, expected, current_version, changes, editors),
                    changes=changes,
                    editors=editors,
                )
                if self.request is not None:
                    record_event(
                        action=AuditAction.PERMISSION_DENIED,
                        actor=self.request.user,
                        obj=self.instance,
                        reason=str(exc),
                        ip=client_ip(self.request),
                        details={"attempted": "edit", "expected_version": expected},
                    )
                raise ValidationError(str(exc), code="conflict")
        return cleaned


def audit_denial(request, attempted: str, object_id) -> None:
    """A 403 in the admin is a permission denial: it goes into the audit log."""
    record_event(
        action=AuditAction.PERMISSION_DENIED,
        actor=request.user,
        reason=f"无权限:{request.method} {request.path}",
        ip=client_ip(request),
        details={"attempted": attempted, "object_id": object_id},
    )


def ancestor_ids(ids: set[int]) -> set[int]:
    parents = dict(Organization.objects.values_list("pk", "parent_id"))
    found: set[int] = set()
    for pk in ids:
        parent = parents.get(pk)
        while parent is not None and parent not in found:
            found.add(parent)
            parent = parents.get(parent)
    return found


def conflict_message(record, expected, current, changes, editors) -> str:
    lines = "; ".join(f"{c.label}:「{c.old}」→「{c.new}」" for c in changes) or "状态或附件"
    who = "、".join(editors) or "其他人"
    return (
        f"保存冲突:您打开此页(版本 {expected})后,{who}已保存了新版本 {current},"
        f"改动:{lines}。您的修改未保存,没有覆盖任何内容;请重新打开此页,在最新版本上修改。"
    )


class YearFilter(admin.SimpleListFilter):
    title = "年度"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            model_admin.get_queryset(request)
            .annotate(y=ExtractYear("issued_on"))
            .values_list("y", flat=True)
            .distinct()
            .order_by("-y")
        )
        return [(str(y), f"{y}年") for y in years if y]

    def queryset(self, request, queryset):
        year = number_or_none(self.value(), minimum=MIN_YEAR, maximum=MAX_YEAR)
        return queryset.filter(issued_on__year=year) if year else queryset


class ValidityFilter(admin.SimpleListFilter):
    title = "有效性"
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        from disclosure.choices import ValidityStatus

        return ValidityStatus.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.with_validity(self.value(), today=timezone.localdate())
        return queryset
