#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Without DJANGO_SETTINGS_MODULE it uses the production settings, like wsgi, asgi and Celery:
nothing runs the embedded default (DEBUG on, a public secret key) unless asked for it.
`make run` and Procfile.dev ask for it; so does a developer who sets
`DJANGO_SETTINGS_MODULE=discriminamometro.settings.base`.
"""
import os
import sys

EMBEDDED = "discriminamometro.settings.base"
PRODUCTION = "discriminamometro.settings.production"


def main() -> None:
    chosen = "DJANGO_SETTINGS_MODULE" in os.environ
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", PRODUCTION)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        if chosen:
            raise
        sys.exit(
            f"{error}\n\nSin DJANGO_SETTINGS_MODULE, manage.py usa los ajustes de producción ({PRODUCTION}), "
            "que toman todo del entorno (.env.example).\nPara el modo integrado (SQLite, sin servidores), "
            f"como en «make run»: DJANGO_SETTINGS_MODULE={EMBEDDED} python {' '.join(sys.argv)}"
        )


if __name__ == "__main__":
    main()
