"""`python manage.py bulletin [--mes AAAA-MM | --desde AAAA-MM-DD --hasta AAAA-MM-DD] [--enviar]`: make a bulletin now
(by default, last month's) and say where its files are."""
from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alerts.models import Bulletin
from alerts.selectors.bulletins import bulletin_urls, month_bounds, period_bounds
from alerts.services.bulletins import bulletin_create, bulletin_monthly_create, bulletin_send


def _month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in text.split("-"))
        date(year, month, 1)
    except ValueError as error:
        raise CommandError(f"«{text}» no es un mes (AAAA-MM).") from error
    return year, month


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"«{text}» no es una fecha (AAAA-MM-DD).") from error


class Command(BaseCommand):
    help = ("Genera el boletín de un mes o de un periodo (por omisión, el del mes pasado, hora de la Ciudad de México), "
            "lo guarda en el archivo y, con --enviar, lo manda a sus suscriptores.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mes", help="el mes del boletín, AAAA-MM (p. ej. 2026-11)")
        parser.add_argument("--desde", help="primer día del periodo, AAAA-MM-DD")
        parser.add_argument("--hasta", help="último día del periodo (incluido), AAAA-MM-DD")
        parser.add_argument("--enviar", action="store_true", help="mandarlo a las suscripciones al boletín")

    def handle(self, *args: Any, **options: Any) -> None:
        month, first, last = options["mes"], options["desde"], options["hasta"]
        if month and (first or last):
            raise CommandError("Usa --mes o --desde y --hasta, no ambos.")
        if bool(first) != bool(last):
            raise CommandError("--desde y --hasta van juntos.")
        try:
            if month:
                year, number = _month(month)
                start, end = month_bounds(year=year, month=number)
                bulletin = bulletin_create(start=start, end=end, kind=Bulletin.Kind.MONTHLY)
            elif first:
                start, end = period_bounds(first=_day(first), last=_day(last))
                bulletin = bulletin_create(start=start, end=end, kind=Bulletin.Kind.ON_DEMAND)
            else:
                bulletin = bulletin_monthly_create()
        except ValueError as error:
            raise CommandError(str(error)) from error
        self._report(bulletin)
        if options["enviar"]:
            sent = bulletin_send(bulletin_id=bulletin.pk)
            self.stdout.write(f"Enviado a {sent} suscripciones nuevas (las que ya lo tenían no lo reciben otra vez).")

    def _report(self, bulletin: Bulletin) -> None:
        archive, urls = storages["archive"], bulletin_urls(slug=bulletin.slug)
        self.stdout.write(f"{bulletin.title} ({bulletin.slug})")
        for label, name in (("HTML", bulletin.html_name), ("PDF", bulletin.pdf_name)):
            try:
                where = archive.path(name)
            except NotImplementedError:  # a remote archive (S3): its name in the bucket
                where = name
            self.stdout.write(f"  {label}: {where}")
        self.stdout.write(f"  Página pública: {urls['url']}")
        self.stdout.write(f"  PDF público: {urls['pdf_url']}")
