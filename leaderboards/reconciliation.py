"""The scheduled reconciliation: the boards compared with the ledger, and repaired.

The store can drift from the ledger: a projection applied to Redis whose commit
then failed leaves it ahead; a deactivation whose move met a stopped Redis leaves
people on boards they have left. Every LEADERBOARD_RECONCILE_MINUTES one worker
(units.schedule) compares every current board with the ledger, then recomputes
each member found wrong, under the projector lock, and sets it right; each repair
is logged with the board, the member, the store's value and the ledger's. A
mismatch that was only an award projected between the two reads is found right on
the second look and changes nothing. Past MAX_REPAIRED_MEMBERS members, one
rebuild is cheaper than repairing each.
"""

import logging
from dataclasses import dataclass, field

from units import metrics

from . import members, projector

logger = logging.getLogger(__name__)

MAX_REPAIRED_MEMBERS = 20_000


@dataclass
class Outcome:
    boards: int = 0
    mismatches: int = 0
    repairs: list = field(default_factory=list)
    rebuilt: bool = False


def reconcile_and_repair() -> Outcome:
    """Compare every current board with the ledger and repair what differs."""
    found = projector.reconcile(locked=False)
    outcome = Outcome(boards=found.boards, mismatches=len(found.mismatches))
    metrics.RECONCILIATIONS.inc()
    if not found.mismatches:
        logger.info(
            "leaderboards match the ledger: %d boards, %d members",
            found.boards,
            found.members,
        )
        return outcome
    pairs = [(key, member) for key, member, _ledger, _store in found.mismatches]
    people, units = members.members_of(pairs)
    if len(people) + len(units) > MAX_REPAIRED_MEMBERS:
        logger.warning(
            "%d board places differ from the ledger; rebuilding every board",
            len(pairs),
        )
        projector.rebuild()
        outcome.rebuilt = True
        return outcome
    outcome.repairs = members.refresh(people=people, units=units, also=pairs)
    metrics.REPAIRS.inc(len(outcome.repairs))
    for repair in outcome.repairs:
        logger.warning(
            "leaderboard repaired: board %s member %s: store %s, ledger %s",
            repair.key,
            repair.member,
            repair.store,
            repair.ledger,
        )
    logger.info(
        "leaderboards reconciled: %d boards, %d differences seen, %d repaired",
        found.boards,
        len(pairs),
        len(outcome.repairs),
    )
    return outcome
