"""Admin-editable corrections to the public-holiday calendar (years the package does not know)."""

from django.conf import settings
from django.db import models


class CalendarOverride(models.Model):
    """One day declared a working day or a day off, overriding `chinese-calendar`.

    The State Council announces each year's holidays and adjusted working weekends (调休) in
    November or December; until a release of the package carries them, staff enter them here.
    """

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选:调休上班;不勾选:放假。")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'} {self.note}"


class HolidayYear(models.Model):
    """A year whose 节假日调整 an administrator entered from the State Council's notice: from
    then on the year's deadlines are counted on its real holidays, not on plain weekends."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField(
        "依据", max_length=200, blank=True, help_text="如:国办发明电〔2026〕X号"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = "节假日年度"
        verbose_name_plural = "节假日年度"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="holiday_year_range",
                condition=models.Q(year__gte=2000, year__lte=2100),
                violation_error_message="年度须在2000至2100之间。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"
