"""The annual report on government information disclosure (Articles 49-50)."""
