"""The garbage collector of a worker that holds thousands of sockets.

A worker with 5,000 board sockets holds about 800,000 objects the collector tracks
(Twisted's and autobahn's protocols, the consumers, their tasks), all of them alive.
CPython 3.11 walks every one in a full collection: 380-460 ms each, collecting
nothing (a gc.callbacks probe during `make bench-scale`), and under awards they
fell in the middle of writing a frame to every socket: a round of 10,000 sockets
then took the two workers 1.4-1.6 s of CPU instead of 0.7 s.

So the objects that have survived are moved out of the collector's sight every
FREEZE_SECONDS (`gc.freeze`, the permanent generation) and the automatic
collections walk only what is newer. Garbage that was frozen with them (the
reference cycles of a closed socket) is found by a collection of everything every
FULL_SECONDS, which freezes the survivors again: one long pause in ten minutes at a
moment of the collector's choosing instead of one every few seconds.
"""

import gc

from twisted.internet import task

FREEZE_SECONDS = 5
FULL_SECONDS = 600


def collect_everything() -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def keep_full_collections_rare(clock) -> list[task.LoopingCall]:
    """Start freezing the survivors on `clock` (the reactor; a `task.Clock` in tests)."""
    calls = []
    for seconds, function in (
        (FREEZE_SECONDS, gc.freeze),
        (FULL_SECONDS, collect_everything),
    ):
        call = task.LoopingCall(function)
        call.clock = clock
        call.start(seconds, now=False)
        calls.append(call)
    return calls
