"""`python manage.py ensure_admin`: the embedded default's admin user, created once.

The password is printed when the user is created; it is also kept in
`var/<username>-password.txt`, readable by its owner alone (0600), from where
`make run`'s welcome (`manage.py welcome`) shows it once everything has started.
A deployment creates its administrators with `createsuperuser`: the command
refuses to run with DEBUG off or under the production settings.
"""
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

ADMIN_URL = "http://127.0.0.1:8000/admin/"


def secret_file_write(path: Path, text: str) -> None:
    """Write the file readable and writable by its owner only, from the moment it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older file may have been created with wider permissions
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def embedded_mode() -> bool:
    return bool(settings.DEBUG) and not str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production")


class Command(BaseCommand):
    help = "Crea el usuario administrador del modo integrado (una sola vez) y muestra su contraseña al crearlo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, **options: Any) -> None:
        if not embedded_mode():
            raise CommandError(
                "ensure_admin es solo para el modo integrado (make run). Con DEBUG apagado o con los ajustes de "
                "producción cree el administrador con «manage.py createsuperuser»."
            )
        username = options["username"]
        secret_file = Path(settings.VAR_DIR) / f"{username}-password.txt"
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email="", password=password)
            secret_file_write(secret_file, password + "\n")
            self.stdout.write(self.style.SUCCESS(
                f"Administración: {ADMIN_URL}  usuario: {username}  contraseña: {password}\n"
                f"La contraseña queda en {secret_file}, legible solo por su usuario (0600)."
            ))
            return
        if secret_file.exists():
            secret_file.chmod(0o600)
            where = f"la contraseña está en {secret_file}, legible solo por su usuario (0600)"
        else:
            where = f"cambie la contraseña con «manage.py changepassword {username}»"
        self.stdout.write(self.style.SUCCESS(f"Administración: {ADMIN_URL}  usuario: {username}  ({where})"))
