"""`/api/`: the OpenAPI schema, its Swagger UI, and a JSON 404 for the rest (each app's `/api/v1/` routes come first, from the project's urls)."""
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .errors import json_not_found

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the Content-Security-Policy refuses inline scripts.
    # Our template adds a Spanish header with the way back to the site.
    path("docs/", SpectacularSwaggerSplitView.as_view(
        url_name="api-schema", template_name="api/swagger_ui.html",
        title=_("Documentación de la API · Discriminamómetro"),
    ), name="api-docs"),
    # Anything else under /api/ is a JSON 404 in the one error shape, in debug mode too; a path
    # holding a newline (%0A) as well, which `.` would not match.
    re_path(r"^[\s\S]*$", json_not_found),
]
