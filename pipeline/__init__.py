"""The orchestration on top of the apps: a stored batch is scored, rolled up and offered to campaigns.

It is the one place that knows the order of the steps: the Celery tasks that chain
them, the transaction that spans scoring (classifier) and rollups (dashboard),
the beat schedule, the demo loader and the first admin account.
"""
