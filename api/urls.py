"""`/api/v1/...` (each app's endpoints), the OpenAPI schema and its Swagger UI."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include("classifier.api_urls")),
    path("v1/", include("ingestion.api_urls")),
    path("v1/", include("dashboard.api_urls")),
]
