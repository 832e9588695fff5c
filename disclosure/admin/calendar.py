from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from disclosure.models import CalendarOverride, HolidayYear
from disclosure.services.holidays import enter_holiday_year, parse_year


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Holidays and adjusted working days for years `chinese-calendar` does not know yet."""

    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    date_hierarchy = "date"


class HolidayYearForm(forms.ModelForm):
    holidays = forms.CharField(
        label="放假日期",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一个日期或日期段,可加说明,如:2027-01-01 元旦;2027-02-06~2027-02-13 春节。",
    )
    workdays = forms.CharField(
        label="调休上班日期",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="周末调休上班的日期,每行一个,如:2027-02-07 春节调休。",
    )

    class Meta:
        model = HolidayYear
        fields = ["year", "source"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True
            days = CalendarOverride.objects.filter(date__year=self.instance.year)
            self.initial["holidays"] = "\n".join(
                f"{d.date:%Y-%m-%d} {d.note}".strip() for d in days if not d.is_workday
            )
            self.initial["workdays"] = "\n".join(
                f"{d.date:%Y-%m-%d} {d.note}".strip() for d in days if d.is_workday
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year = data.get("year") or self.instance.year
        if year and "holidays" in data:
            try:
                parse_year(
                    year=year, holidays=data["holidays"], workdays=data.get("workdays") or ""
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    """An administrator enters a year's 节假日调整 from the State Council's notice; open request
    deadlines counted on plain weekends are recomputed (disclosure.services.holidays)."""

    form = HolidayYearForm
    list_display = ["year", "source", "entered_by", "entered_at"]
    readonly_fields = ["entered_by", "entered_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        entry = enter_holiday_year(
            actor=request.user,  # type: ignore[arg-type]
            year=data["year"] if not change else obj.year,
            holidays=data["holidays"],
            workdays=data.get("workdays") or "",
            source=data.get("source") or "",
        )
        obj.pk = entry.pk
