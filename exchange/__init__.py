"""Data exchange: legacy imports, auditor exports and background export jobs."""
