"""`/api/v1/` routes of the classifier: prediction for any task and the model registry."""
from django.urls import path

from classifier.api import ModelVersionListApi, TaskPredictApi

urlpatterns = [
    path("tasks/<slug:task>/predict", TaskPredictApi.as_view(), name="api-task-predict"),
    path("models", ModelVersionListApi.as_view(), name="api-models"),
]
