"""Legacy imports: readers (readers.py), value normalizers (normalize.py), column names
(columns.py), vocabulary lookup (vocabulary.py) and the one service, `import_records`."""

from exchange.importing.report import ImportReport, Problem
from exchange.importing.service import import_records

__all__ = ["ImportReport", "Problem", "import_records"]
