"""Signals of the competitions app. Payloads carry ids and primitives only.

entries_recorded(entry_ids: list[int])
    Sent after the transaction that wrote these ledger entries has committed. The
    leaderboards' projector listens to put them on the boards.

submission_decided(submission_id: int, status: str)
    Sent after commit when a submission is approved, rejected or returned.
"""

from django.dispatch import Signal

entries_recorded = Signal()
submission_decided = Signal()
