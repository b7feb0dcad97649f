"""`/api/v1/` routes of labeling: feedback."""
from django.urls import path

from labeling.api import FeedbackApi

urlpatterns = [path("feedback", FeedbackApi.as_view(), name="api-feedback")]
