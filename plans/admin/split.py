"""The page that splits a record into plan items: the record to pick, then the parser's proposal
as editable forms (sections s1, s2, …; items s1-i1, …) that staff correct before saving.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.html import format_html, format_html_join

from disclosure.models import DisclosureRecord
from disclosure.numbers import number_or_none
from plans.choices import PlanSectionKind
from plans.parser import ParsedItem, ParsedPlan, ParsedSection


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
