"""Permissions for moving data in and out in bulk (exports for auditors, legacy imports).

A proxy model only carries the permissions, so they can be granted to a group (the auditors'
group 审计 gets `disclosure.export_records`) without touching the record model itself.
"""

from disclosure.models.records import DisclosureRecord


class RecordDataExchange(DisclosureRecord):
    class Meta:
        proxy = True
        verbose_name = "数据导入导出"
        verbose_name_plural = "数据导入导出"
        default_permissions = ()
        permissions = [
            ("export_records", "可导出公开信息(含草稿和撤回)"),
            ("export_audit_log", "可导出审计日志"),
            ("import_records", "可批量导入公开信息"),
        ]
