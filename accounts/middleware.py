"""Keeps a staff member who has not passed the second factor out of the admin."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from accounts import two_factor


class StaffTwoFactorMiddleware:
    """After django-otp's OTPMiddleware: every admin URL except sign-in, sign-out and the
    two-factor pages themselves redirects an unverified staff member to set up or enter a code.

    The public site needs no sign-in and gives staff nothing more, so it is left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The path first: touching request.user reads the session, which would make every
        # public page vary on Cookie and defeat its caching.
        if self._guarded(request.path):
            response = self._second_step(request)
            if response is not None:
                return response
        return self.get_response(request)

    @staticmethod
    def _second_step(request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and two_factor.must_verify(user):
            step = "accounts:verify" if two_factor.has_authenticator(user) else "accounts:setup"
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(step)}?{query}")
        return None

    @staticmethod
    def _guarded(path: str) -> bool:
        try:
            admin_root = reverse("admin:index")
        except NoReverseMatch:  # a URLconf without the admin (a request-specific urlconf)
            return False
        if not path.startswith(admin_root):
            return False
        open_paths = {reverse("admin:login"), reverse("admin:logout")}
        return path not in open_paths and not path.startswith(reverse("accounts:verify"))
