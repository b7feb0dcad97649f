"""The Celery application. Tasks live in each app's `tasks.py`."""
import os

from celery import Celery

# Workers and beat run in a deployment: without DJANGO_SETTINGS_MODULE they get the production settings.
# `make run` (Procfile.dev) chooses the embedded default explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discriminamometro.settings.production")

app = Celery("discriminamometro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
