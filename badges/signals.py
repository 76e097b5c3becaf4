"""Signals of the badges app. Payloads carry ids only.

badges_awarded(assertion_ids: list[int])
    Sent after the transaction that wrote these awards has committed (by criteria
    or by hand). The commendations to come listen here.
"""

from django.dispatch import Signal

badges_awarded = Signal()
