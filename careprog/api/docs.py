"""/api/schema/ (OpenAPI 3, YAML or ``?format=json``) and /api/docs/ (Swagger UI from
drf-spectacular-sidecar's files, served by careprog itself: no CDN)."""

from django.contrib.auth.decorators import login_not_required, login_required
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from careprog.api.views import MayRead

# A token reads the schema as it reads the data (a scheduled client, Schemathesis); the
# docs page is a page, behind sign-in like every other.
schema = login_not_required(
    SpectacularAPIView.as_view(permission_classes=[IsAuthenticated, MayRead])
)


class SwaggerUI(SpectacularSwaggerSplitView):
    """The split view: the page and its settings script (``?script``) both come from our
    origin, so the CSP's script-src 'self' holds; our template (templates/api/) moves the
    stock one's inline <style> into a static file, so style-src 'self' holds too."""

    template_name = "api/swagger_ui.html"


# (DRF exempts its views from LoginRequiredMiddleware: login_required sends a person who is
# not signed in to the sign-in page, as every other page does.)
docs = login_required(
    SwaggerUI.as_view(url_name="api_schema", permission_classes=[IsAuthenticated, MayRead])
)
