"""WSGI entry point (gunicorn in the full deployment)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discriminamometro.settings.base")
application = get_wsgi_application()
