"""The project's WSGI application with one extra route, the reference of benchmarks/api.py.

`POST /bench/bare` is a minimal Django view: it parses the JSON body and answers a
small JSON object, behind the project's whole middleware stack, in the same gunicorn
workers as the API. What the API costs beyond it is the API's own work. Served only
by the benchmark (gunicorn `benchmarks.api_wsgi:application`), never by a deployment.
"""
import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discriminamometro.settings.production")
django.setup()
settings.ROOT_URLCONF = "benchmarks.api_urls"  # before the first request: the resolver reads it then

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
