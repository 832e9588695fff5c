"""Settings for the test suite: the same as production's, with a throwaway key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from portal.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Off for the suite, whose admin tests sign in with force_login()/login() (login() passes no
# request, which django-axes requires); tests/accounts/ switch each on where it is tested.
STAFF_2FA_REQUIRED = False
AXES_ENABLED = False

# Off for the suite: its tests run inside one transaction, where the after-commit invalidation
# (disclosure.changes) never runs. tests/portal/test_page_cache*.py switch it on, with the
# callbacks run (or transactional tests), and prove every surface is invalidated.
PAGE_CACHE_ENABLED = False
