"""`python manage.py create_api_key NAME [--scopes classify,read] [--rate-limit N]`: a key for a script or a server.

Prints the key once (only its hash is stored), as the admin does.
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.keys import api_key_create
from api.models import Scope


class Command(BaseCommand):
    help = "Crea una clave de API e imprime la clave una sola vez (solo se guarda su hash)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Para quién es la clave.")
        parser.add_argument("--scopes", default=Scope.CLASSIFY, help="classify, read o classify,read")
        parser.add_argument("--rate-limit", type=int, default=None, help="Peticiones por minuto.")
        parser.add_argument("--organization", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = {scope.strip() for scope in options["scopes"].split(",") if scope.strip()}
        unknown = scopes - set(Scope.values)
        if unknown or not scopes:
            raise CommandError(f"Permisos desconocidos: {', '.join(sorted(unknown)) or '(ninguno)'}; use classify, read.")
        if options["rate_limit"] is not None and options["rate_limit"] < 1:
            raise CommandError("--rate-limit debe ser al menos 1.")
        row, key = api_key_create(
            name=options["name"], scopes=scopes, rate_limit=options["rate_limit"], organization=options["organization"]
        )
        self.stderr.write(f"Clave «{row.name}» ({', '.join(sorted(row.scopes))}; {row.rate_limit} por minuto). "
                          "Guárdela: no se volverá a mostrar.")
        self.stdout.write(key)
