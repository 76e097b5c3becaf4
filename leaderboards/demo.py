"""Put the demo history on the boards (called by `seed_demo` after the ledger is filled)."""

from competitions.models import PointEntry

from . import projector


def seed(context: dict) -> bool:
    if not PointEntry.objects.unprojected().exists():
        return False
    projector.rebuild()
    return True
