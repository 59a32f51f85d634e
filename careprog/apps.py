from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class CareprogConfig(AppConfig):
    name = "careprog"
    verbose_name = "Care programmes"

    def ready(self):
        from careprog import page_cache
        from careprog.middleware import mark_session_active
        from careprog.oidc import checks  # noqa: F401  (registers the settings checks)

        # Signing in counts as activity, so the first page after it writes no session.
        user_logged_in.connect(mark_session_active, dispatch_uid="careprog_session_active")
        # Every write to a table a kept page could show forgets the kept pages.
        page_cache.connect()
