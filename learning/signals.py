"""Signals of the learning app. Payloads carry ids only; each is sent after the
transaction that made the change has committed, so a receiver reads what it names.

completions_recorded(completion_ids: list[int])
    Confirmed completions were recorded (self-report approved, attendance, QR
    check-in, import, the integration API). The badges app evaluates the classes
    that count trainings, skill areas and mentees for the learners, their units and
    their mentors.

households_changed(household_ids: list[int])
    Households gained a member or turned digital (Gia đình số).
"""

from django.db import transaction
from django.dispatch import Signal

completions_recorded = Signal()
households_changed = Signal()


def send_on_commit(signal: Signal, sender, **payload) -> None:
    """Send the signal once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: signal.send(sender=sender, **payload))
