"""ASGI entry point."""
import os

from django.core.asgi import get_asgi_application

# A deployment runs this module: without DJANGO_SETTINGS_MODULE it gets the production settings,
# which refuse to start unconfigured, never the embedded default (DEBUG on, a public secret key).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discriminamometro.settings.production")
application = get_asgi_application()
