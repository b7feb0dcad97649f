"""The rollups count each source's posts too (subject "fuente:<id>"): rows counted before lack them.

No rows are written here (a recount of a large history would hold the deploy):
the history catch-up, every ten minutes, recounts the active model's history
days (120 by default, more than any page reads) once its record says the
history is not complete. Older hours: `manage.py rollups_rebuild`.
"""
from django.db import migrations


def history_reopen(apps, schema_editor):
    apps.get_model("dashboard", "RollupHistory").objects.update(rebuilt_since=None, complete_since=None)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_initial")]
    operations = [migrations.RunPython(history_reopen, migrations.RunPython.noop)]
