from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff sign-in security: two-factor authentication (django-otp) and its deploy checks.

    Login throttling and lockout are django-axes' (configured in portal/settings.py).
    """

    name = "accounts"
    verbose_name = "工作人员登录安全"

    def ready(self) -> None:
        from accounts import checks  # noqa: F401  (registers the deploy checks)
