"""Writes of the demo: a running campaign over a sample of the demo posts."""
from __future__ import annotations

from ingestion.models import Category
from labeling.models import Campaign
from labeling.services.campaigns import campaign_items_add

DEMO_CAMPAIGN = "Campaña de demostración"
DEMO_SAMPLE = 100


def demo_campaign_ensure() -> tuple[Campaign, int]:
    """A running campaign over a sample of the demo posts, so a new installation has something to label.

    Its guidelines list each active category's definition. Created once; returns the campaign and
    how many posts it gained now (0 when it was already there).
    """
    campaign, created = Campaign.objects.get_or_create(
        name=DEMO_CAMPAIGN,
        defaults={"status": Campaign.Status.RUNNING, "sample_size": DEMO_SAMPLE, "guidelines": _demo_guidelines()},
    )
    return campaign, campaign_items_add(campaign=campaign) if created else 0


def _demo_guidelines() -> str:


    lines = [
        "Marca **Sí** cuando la publicación ataca, excluye o menosprecia a una persona o grupo por uno de "
        "estos motivos, y elige el motivo (o los motivos). Una palabra del diccionario no basta: léela "
        "en su contexto. Marca **No estoy seguro** si no puedes decidir; no adivines.",
        "",
    ]
    for category in Category.objects.filter(active=True).order_by("name"):
        lines += [f"## {category.name}", "", category.description or "", ""]
    return "\n".join(lines)
