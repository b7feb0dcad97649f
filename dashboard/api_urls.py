"""`/api/v1/` routes of the dashboard: posts with their predictions, and statistics."""
from django.urls import path

from dashboard.api import StatsApi, TweetListApi

urlpatterns = [
    path("tweets", TweetListApi.as_view(), name="api-tweets"),
    path("stats", StatsApi.as_view(), name="api-stats"),
]
