"""Which organization a staff member works for: the scope of the records they may see and change.

A city platform hosts many bureaus; staff see and change only their own organization's records
(and its departments'), unless they hold `disclosure.access_all_organizations`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    organization = models.ForeignKey(
        "disclosure.Organization",
        verbose_name="所属机构",
        on_delete=models.PROTECT,
        related_name="staff_profiles",
    )

    class Meta:
        verbose_name = "工作人员所属机构"
        verbose_name_plural = "工作人员所属机构"

    def __str__(self) -> str:
        return f"{self.user} · {self.organization}"
