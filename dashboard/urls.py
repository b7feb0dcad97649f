"""Routes of the dashboard."""
from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("categoria/<slug:slug>/", views.category, name="category"),
    path("buscar/", views.search, name="search"),
    path("analizar/", views.analyze, name="analyze"),
    path("publicaciones/", views.posts, name="posts"),
    path("exportar/<slug:table>.csv", views.export, name="export"),
    path("ingesta/", views.ingestion, name="ingestion"),
]
