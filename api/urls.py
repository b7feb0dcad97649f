"""`/api/v1/...` (each app's endpoints), the OpenAPI schema and its Swagger UI."""
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .errors import json_not_found

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include("classifier.api_urls")),
    path("v1/", include("ingestion.api_urls")),
    path("v1/", include("dashboard.api_urls")),
    # Anything else under /api/ is a JSON 404 in the one error shape, in debug mode too.
    re_path(r"^.*$", json_not_found),
]
