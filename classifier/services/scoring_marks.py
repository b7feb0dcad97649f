"""How far a model version has scored the posts: batches handed out by id range, and the mark below which all are scored.

Finding unscored posts by an anti-join over every post (`NOT EXISTS` a
prediction) costs more the more posts there are. Instead each version keeps a
`ScoringMark`: scoring claims the next posts above `claimed_to` (a range of
ids, read through the primary key), and looks for unscored posts only in the
gap between `settled_to` and `claimed_to`. Two things can leave a post
unscored in that gap, and both are caught there:

* a post whose transaction took its id before a later post's and committed
  after a batch read past it (ids are handed out when a row is inserted, not
  when it commits);
* a batch claimed by a worker that died before it committed.

The gap is searched, and `settled_to` moved up to `claimed_to`, only once no
transaction that began before the last claim is still open: then every id up
to `claimed_to` is committed or gone, and one anti-join over the gap finds the
rest. (The open transactions are read from `pg_stat_activity`, which shows
another database role's sessions only to a role with `pg_read_all_stats`: the
platform's processes share one role.) Two workers claiming at once get disjoint ranges (the claim locks the
mark's row for the claim only); a range scored twice, by a worker and by the
gap's search, is counted once by the predictions' unique index.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models.functions import Now

from classifier.models import ScoringMark
from ingestion.models import Tweet


@dataclass(frozen=True, slots=True)
class IdRange:
    """Posts with low < id <= high."""

    low: int
    high: int


def scoring_mark_get(*, version_id: int) -> ScoringMark:
    return ScoringMark.objects.get_or_create(model_version_id=version_id)[0]


def posts_claim(*, version_id: int, size: int) -> IdRange | None:
    """The next `size` posts above the version's claimed mark, handed to the caller alone; None when none is left.

    A transaction of its own, holding the mark's row lock only while it reads
    `size` ids through the primary key: two workers claiming at once queue
    here for milliseconds and get disjoint ranges.
    """
    scoring_mark_get(version_id=version_id)
    with transaction.atomic():
        mark = ScoringMark.objects.select_for_update().get(model_version_id=version_id)
        ids = Tweet.objects.filter(pk__gt=mark.claimed_to).order_by("pk").values_list("pk", flat=True)
        last = list(ids[size - 1:size]) or list(ids.reverse()[:1])
        if not last:
            return None
        claimed = IdRange(low=mark.claimed_to, high=last[0])
        # The time is taken after the ids were read (a statement later): every transaction
        # that holds an id below `high` and has not committed began before it.
        ScoringMark.objects.filter(pk=mark.pk).update(claimed_to=claimed.high, claimed_at=_clock())
    return claimed


def _clock() -> Now:
    if connection.vendor == "postgresql":
        return _ClockTimestamp()
    return Now()


class _ClockTimestamp(Now):
    """The wall clock when the statement runs (`now()` is the transaction's start)."""

    template = "clock_timestamp()"


def gap_open(*, version_id: int) -> IdRange | None:
    """The ids between the settled and the claimed mark, when they can be searched; None otherwise.

    They can once no other transaction that began before the last claim is
    still open: every id up to the claimed mark is then committed or rolled
    back. Until then the gap waits (a later call searches it).
    """
    mark = scoring_mark_get(version_id=version_id)
    if mark.claimed_to <= mark.settled_to or mark.claimed_at is None:
        return None
    if not _older_transactions_done(mark):
        return None
    return IdRange(low=mark.settled_to, high=mark.claimed_to)


def gap_settle(*, version_id: int, gap: IdRange) -> None:
    """Every post of the searched gap is scored: the settled mark moves up to its end (never down)."""
    ScoringMark.objects.filter(model_version_id=version_id, settled_to__lt=gap.high).update(settled_to=gap.high)


# Held (shared) by a worker from its claim until its batch commits; the gap waits while any is held.
CLAIM_LOCK = 7_310_019


@contextlib.contextmanager
def claim_held() -> Iterator[None]:
    """Around a claim and the scoring of its range: between the two the range is claimed and not yet in a
    transaction (its posts are read and predicted first), so the gap's search must not take it for a dead
    worker's. A worker that dies drops its lock with its connection."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock_shared(%s)", [CLAIM_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [CLAIM_LOCK])


def _claims_idle() -> bool:
    """No worker is between a claim and its batch's commit (the exclusive lock is free, taken and given back)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [CLAIM_LOCK])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT pg_advisory_unlock(%s)", [CLAIM_LOCK])
    return True


def _older_transactions_done(mark: ScoringMark) -> bool:
    if connection.vendor != "postgresql":
        # SQLite lets one writer in at a time and numbers its rows above every committed one:
        # no uncommitted post can hold an id below a committed one.
        return True
    if not _claims_idle():
        return False
    with connection.cursor() as cursor:
        # Statistics are read once per transaction unless cleared; other databases' sessions do not matter.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start < %s)",
            [mark.claimed_at],
        )
        return bool(cursor.fetchone()[0])
