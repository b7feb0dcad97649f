"""Routes of the labeling app."""
from django.urls import path

from . import views

app_name = "labeling"
urlpatterns = [
    path("", views.index, name="index"),
    path("campanas/<int:pk>/", views.annotate, name="annotate"),
    path("campanas/<int:pk>/responder/", views.answer, name="answer"),
    path("campanas/<int:pk>/saltar/", views.skip, name="skip"),
    path("campanas/<int:pk>/deshacer/", views.undo, name="undo"),
    path("campanas/<int:pk>/guia/", views.guidelines, name="guidelines"),
    path("campanas/<int:pk>/metricas/", views.report, name="report"),
    path("campanas/<int:pk>/metricas/<str:table>.csv", views.report_csv, name="report_csv"),
    path("campanas/<int:pk>/exportar/<str:kind>.<str:fmt>", views.export, name="export"),
    path("cola/", views.queue, name="queue"),
    path("revision/", views.review_queue, name="review_queue"),
    path("revision/<int:pk>/", views.review_item, name="review_item"),
]
