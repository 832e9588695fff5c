"""The public open-data API (django-ninja): read-only, published records only."""
