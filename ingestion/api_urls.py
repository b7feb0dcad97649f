"""`/api/v1/` routes of ingestion: posts and the dictionary."""
from django.urls import path

from . import api

urlpatterns = [
    path("tweets", api.TweetListApi.as_view(), name="api-tweets"),
    path("dictionary", api.DictionaryApi.as_view(), name="api-dictionary"),
]
