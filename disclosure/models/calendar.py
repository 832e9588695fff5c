"""Admin-editable corrections to the public-holiday calendar (years the package does not know)."""

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
