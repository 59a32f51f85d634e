from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from actions import views as action_views
from careprog import throttling, views
from careprog.api import docs as api_docs
from careprog.api import token_views
from careprog.oidc import views as oidc_views
from careprog.oidc.forms import AdminSignInForm

admin.site.site_header = "Care programmes administration"
admin.site.site_title = "Care programmes"
admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("", action_views.home, name="home"),
    path("", include("actions.urls")),
    path("", include("kpis.urls")),
    path("sign-in/", oidc_views.SignInView.as_view(), name="login"),
    path("sign-out/", oidc_views.SignOutView.as_view(), name="logout"),
    # Single sign-on with the council's provider: 404 unless OIDC_ISSUER is set.
    path("oidc/", include("careprog.oidc.urls")),
    # Password reset by email. Django's views are open without sign-in, and the "sent"
    # page is the same whether or not the address belongs to an account, and whether or
    # not a limit on requests per address or emails per account stopped the email.
    path(
        "password-reset/",
        throttling.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            extra_email_context={
                "service_name": settings.SERVICE_NAME,
                "link_valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # The users' guides, open without sign-in.
    path("help/", views.help_index, name="help"),
    path("help/<slug:role>/", views.help_guide, name="help_guide"),
    # What a public body must publish, open without sign-in.
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Open data (docs/open-data.md): open without sign-in, 404 unless a programme is published.
    path("open/", include("actions.open_data.urls")),
    path("admin/", admin.site.urls),
    # A person's own API tokens (careprog/api/token_views.py).
    path("account/tokens/", token_views.api_tokens, name="api_tokens"),
    path("account/tokens/new/", token_views.api_token_new, name="api_token_new"),
    path("account/tokens/<int:pk>/revoke/", token_views.api_token_revoke, name="api_token_revoke"),
    # The read API (docs/api.md): its schema and Swagger UI, then each app's lists.
    path("api/schema/", api_docs.schema, name="api_schema"),
    path("api/docs/", api_docs.docs, name="api_docs"),
    path("api/", include("kpis.api.urls")),
    path("api/", include("actions.api.urls")),
]
