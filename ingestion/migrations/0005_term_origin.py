"""A term says where it came from: "" for terms people added, "hurtlex-1.2" for imported suggestions.

Every term that exists when this runs was added by people (the original dictionary, the admin,
CSV imports), so the default is theirs.
"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ingestion", "0004_tweet_dates_out_of_range")]

    operations = [
        migrations.AddField(
            model_name="term",
            name="origin",
            field=models.CharField(
                blank=True,
                choices=[("", "añadido por personas"), ("hurtlex-1.2", "sugerencia de HurtLex 1.2")],
                default="",
                max_length=32,
                verbose_name="origen",
            ),
        ),
    ]
