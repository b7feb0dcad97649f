"""Load the original project's dictionary: 7 COPRED categories and their 51 terms."""
from django.db import migrations

from ingestion.dictionary_seed import CATEGORIES, TERMS


def dictionary_load(apps, schema_editor):
    Category = apps.get_model("ingestion", "Category")
    Term = apps.get_model("ingestion", "Term")
    categories = {}
    for slug, name, description in CATEGORIES:
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    for slug, texts in TERMS.items():
        for text in texts:
            term, _ = Term.objects.get_or_create(text=text)
            term.categories.add(categories[slug])


def dictionary_unload(apps, schema_editor):
    Category = apps.get_model("ingestion", "Category")
    Term = apps.get_model("ingestion", "Term")
    Term.objects.filter(text__in=[t for texts in TERMS.values() for t in texts]).delete()
    Category.objects.filter(slug__in=[slug for slug, _, _ in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("ingestion", "0001_initial")]
    operations = [migrations.RunPython(dictionary_load, dictionary_unload)]
