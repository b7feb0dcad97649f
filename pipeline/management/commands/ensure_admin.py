"""`python manage.py ensure_admin`: create the embedded default's admin user once, print its credentials."""
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Crea el usuario administrador local (una sola vez) y muestra sus credenciales."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        secret_file = Path(settings.VAR_DIR) / f"{username}-password.txt"
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email="", password=password)
            secret_file.parent.mkdir(parents=True, exist_ok=True)
            secret_file.write_text(password + "\n")
            secret_file.chmod(0o600)
        password = secret_file.read_text().strip() if secret_file.exists() else "(cambiada; ver manage.py changepassword)"
        self.stdout.write(self.style.SUCCESS(
            f"Administración: http://127.0.0.1:8000/admin/  usuario: {username}  contraseña: {password}"
        ))
