"""/api/schema/ (OpenAPI 3, YAML or ``?format=json``) and /api/docs/ (Swagger UI from
drf-spectacular-sidecar's files, served by careprog itself: no CDN)."""

from django.contrib.auth.decorators import login_not_required
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from careprog.api.views import MayRead

# A token reads the schema as it reads the data (a scheduled client, Schemathesis); the
# docs page is a page, behind sign-in like every other.
schema = login_not_required(
    SpectacularAPIView.as_view(permission_classes=[IsAuthenticated, MayRead])
)
docs = SpectacularSwaggerSplitView.as_view(
    url_name="api_schema", permission_classes=[IsAuthenticated, MayRead]
)
