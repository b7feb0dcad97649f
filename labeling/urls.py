"""Routes of the labeling app."""
from django.urls import path

from . import views

app_name = "labeling"
urlpatterns = [path("", views.index, name="index")]
