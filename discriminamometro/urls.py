"""URL routes: the admin, each app's pages, and health checks."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

from classifier.api import MovieGenresReferenceApi
from pipeline.api import CommentAnalyzeApi, ScoreSuggestApi, discovery_rest

from . import views

admin.site.site_header = "Discriminamómetro"
admin.site.site_title = "Discriminamómetro"

# Each app's `/api/v1/` endpoints, listed here so the shared plumbing in `api/` imports no app.
api_v1 = [
    path("", include("pipeline.api_urls")),
    path("", include("classifier.api_urls")),
    path("", include("labeling.api_urls")),
    path("", include("ingestion.api_urls")),
    path("", include("dashboard.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/", include("api.urls")),
    # The reference movie-genre project's route, for its existing clients.
    path("classifier/", MovieGenresReferenceApi.as_view(), name="movie-genres-reference"),
    # The Perspective API's routes, for its clients (Perspective stops on 31 December 2026).
    path("v1alpha1/comments:analyze", CommentAnalyzeApi.as_view(), name="perspective-analyze"),
    path("v1alpha1/comments:suggestscore", ScoreSuggestApi.as_view(), name="perspective-suggestscore"),
    path("$discovery/rest", discovery_rest, name="perspective-discovery"),
    path("cuenta/entrar/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("cuenta/salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without <link rel="icon"> (the admin, the API's pages).
    path("favicon.ico", RedirectView.as_view(url=static("discriminamometro/favicon.ico")), name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("clasificador/", include("classifier.urls")),
    path("etiquetado/", include("labeling.urls")),
    path("", include("alerts.urls")),
    path("", include("dashboard.urls")),
]

