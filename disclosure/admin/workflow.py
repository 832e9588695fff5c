"""Admin pages for the workflow: transition forms (single and bulk), revisions, dashboard.

Thin: each page parses its form and calls disclosure.workflow / disclosure.services.editing;
refusals come back as WorkflowError and are shown as admin messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from disclosure.choices import DisclosureMethod
from disclosure.http import client_ip
from disclosure.workflow import (
    TRANSITIONS,
    WorkflowError,
    approve_record,
    publish_record,
    redraft_record,
    reject_record,
    submit_record,
    withdraw_record,
)

BEIJING = "北京时间 UTC+8"


class TransitionForm(forms.Form):
    """The inputs a transition needs; fields not needed by `name` are removed."""

    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    confidentiality_reviewed = forms.BooleanField(
        label="已完成保密审查(《政府信息公开条例》第十七条)", required=False
    )
    disclosure_method = forms.ChoiceField(
        label="公开方式", choices=DisclosureMethod.choices, required=False
    )
    non_disclosure_reason = forms.CharField(
        label="不予公开的法定理由", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    publish_at = forms.DateTimeField(
        label=f"定时发布时间({BEIJING})",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=f"留空则立即发布(公开日期在将来时按公开日期零时发布)。时间按{BEIJING}。",
    )

    FIELDS_BY_TRANSITION = {
        "approve": {"confidentiality_reviewed", "disclosure_method", "non_disclosure_reason"},
        "reject": {"reason"},
        "withdraw": {"reason"},
        "publish": {"publish_at"},
    }

    def __init__(self, *args: Any, transition: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.transition = transition
        keep = self.FIELDS_BY_TRANSITION.get(transition, set())
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "reason" in self.fields:
            self.fields["reason"].label = f"{TRANSITIONS[transition].label}理由(必填)"


def needs_form(name: str) -> bool:
    return bool(TransitionForm.FIELDS_BY_TRANSITION.get(name))


def perform(*, name: str, record: Any, request: HttpRequest, data: dict[str, Any]) -> Any:
    """Call the service for transition `name` with the form's cleaned data."""
    actor, ip = request.user, client_ip(request)
    if name == "submit":
        return submit_record(record=record, actor=actor, ip=ip)
    if name == "approve":
        return approve_record(
            record=record,
            actor=actor,
            confidentiality_reviewed=bool(data.get("confidentiality_reviewed")),
            disclosure_method=data.get("disclosure_method") or "",
            non_disclosure_reason=data.get("non_disclosure_reason") or "",
            ip=ip,
        )
    if name == "reject":
        return reject_record(record=record, actor=actor, reason=data.get("reason", ""), ip=ip)
    if name == "publish":
        return publish_record(record=record, actor=actor, at=data.get("publish_at"), ip=ip)
    if name == "withdraw":
        return withdraw_record(record=record, actor=actor, reason=data.get("reason", ""), ip=ip)
    if name == "redraft":
        return redraft_record(record=record, actor=actor, ip=ip)
    raise ValueError(name)


def perform_many(
    *, name: str, records: list[Any], request: HttpRequest, data: dict[str, Any]
) -> None:
    """Bulk action: each item on its own, then one message for the successes and one listing
    every failure with its reason."""
    label = TRANSITIONS[name].label
    done, failed = 0, []
    for record in records:
        try:
            perform(name=name, record=record, request=request, data=data)
            done += 1
        except WorkflowError as exc:
            failed.append(f"「{record.title}」:{exc}")
    if done:
        messages.success(request, f"{label}成功 {done} 条。")
    if failed:
        messages.error(request, f"{label}失败 {len(failed)} 条 —— " + ";".join(failed))
