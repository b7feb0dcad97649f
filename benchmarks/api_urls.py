"""The project's routes plus `POST /bench/bare`, the minimal view benchmarks/api.py measures beside the API."""
import json

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from benchmarks.http_load import BARE_PATH
from discriminamometro.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def bare_json(request: HttpRequest) -> JsonResponse:
    """The body read and parsed, a small JSON answered: what any JSON view does before its own work."""
    body = json.loads(request.body or b"{}")
    return JsonResponse({"ok": True, "fields": len(body)})


urlpatterns = [path(BARE_PATH.lstrip("/"), bare_json, name="bench-bare"), *project_urlpatterns]
