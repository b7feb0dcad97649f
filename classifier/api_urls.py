"""`/api/v1/` routes of the classifier."""
from django.urls import path

from . import api, api_read

urlpatterns = [
    path("classify", api.ClassifyApi.as_view(), name="api-classify"),
    path("tasks/<slug:task>/predict", api.TaskPredictApi.as_view(), name="api-task-predict"),
    path("feedback", api.FeedbackApi.as_view(), name="api-feedback"),
    path("models", api_read.ModelVersionListApi.as_view(), name="api-models"),
]
