"""The 数据导入导出 page: exports, export jobs and the legacy import."""

from exchange.admin import exports, imports  # noqa: F401
