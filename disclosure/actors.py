"""The type of the acting person passed to every service as `actor=`.

The project uses Django's own user model (no AUTH_USER_MODEL of its own), so services can rely
on `has_perm`, `is_active`, `get_username` and the groups the roles are made of.
"""

from typing import TypeAlias

from django.contrib.auth.models import User

Actor: TypeAlias = User
