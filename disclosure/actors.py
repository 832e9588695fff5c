"""The type of the acting person passed to every service as `actor=`.

The project uses Django's own user model (no AUTH_USER_MODEL of its own), so services can rely
on `has_perm`, `is_active`, `get_username` and the groups the roles are made of.
"""

from typing import TypeAlias

from django.contrib.auth.models import User
from django.http import HttpRequest

Actor: TypeAlias = User


class AuthenticatedHttpRequest(HttpRequest):
    """A request past the admin's or `login_required`'s gate: its user is a signed-in `Actor`,
    never AnonymousUser (django-stubs' idiom for typing `request.user` in such views)."""

    user: Actor
