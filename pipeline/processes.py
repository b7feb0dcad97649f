"""Entry points of the scoring processes that a backfill starts beside itself.

A spawned process starts empty: it imports this module before Django is set up,
so nothing here imports a model. `process_setup` sets Django up on the
backfill's own database (its name included, which a test changes) before the
first batch arrives; the batches' function is then imported as they are.
"""
from __future__ import annotations

import os
import threading
import time

ORPHAN_CHECK_SECONDS = 1.0


def process_setup(settings_module: str, database_name: str) -> None:
    _orphan_exit_watch()
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database_name


def _orphan_exit_watch() -> None:
    """End this process when the backfill that started it is gone (killed with SIGKILL, say), instead of
    waiting forever for batches with a database connection open."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()
