"""`/api/v1/` routes of the dashboard: statistics."""
from django.urls import path

from . import api

urlpatterns = [path("stats", api.StatsApi.as_view(), name="api-stats")]
