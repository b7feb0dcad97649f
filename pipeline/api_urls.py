"""`/api/v1/` routes of the orchestration: classify (and optionally queue for annotators)."""
from django.urls import path

from pipeline.api import ClassifyApi

urlpatterns = [path("classify", ClassifyApi.as_view(), name="api-classify")]
