"""`/api/v1/` routes of ingestion: the dictionary."""
from django.urls import path

from ingestion.api import DictionaryApi

urlpatterns = [path("dictionary", DictionaryApi.as_view(), name="api-dictionary")]
