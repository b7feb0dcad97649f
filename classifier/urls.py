"""Routes of the classifier's pages: the model page, a task's versions, one version's report."""
from django.urls import path

from . import views

app_name = "classifier"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:task>/", views.task_versions, name="task"),
    path("<str:task>/v<int:version>/", views.version_detail, name="version"),
]
