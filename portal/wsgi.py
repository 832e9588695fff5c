import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_application = get_wsgi_application()

from portal.page_cache_front import page_cache_front  # noqa: E402 - needs the settings loaded

# Anonymous readers' cached pages are answered before Django's handler (portal/page_cache_front.py).
application = page_cache_front(django_application)
