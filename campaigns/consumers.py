"""A campaign's live socket: its public data on connect, then frames whenever its
board moves, through the worker's board hub (leaderboards.hub): one read and one
encoding per change for every socket of the worker, as a board's viewers get.

A change sends two frames: "points" at once (the branches' points and ranks from
the ranking store, as fast as a board's frame) and "update" when the full read
(progress, feed, badges) is done."""

import asyncio
import functools
import json

from channels.db import database_sync_to_async

from leaderboards.consumers import BoardConsumer
from leaderboards.hub import HUB

from . import selectors


def _open(campaign_id: int) -> tuple[str, dict] | None:
    """The campaign's board prefix and its data, or None if there is none."""
    campaign = selectors.campaign_for_public(campaign_id)
    if campaign is None:
        return None
    board = selectors.board_of(campaign)
    prefix = board.name.rsplit("-", 1)[0]
    return prefix, selectors.public_data(campaign)


# campaign id -> the read in flight: a crowd connecting at once waits for one read
# instead of each making its own (a thousand phones made a thousand 300 ms reads,
# and connecting took 30 s in the bench).
_reading: dict[int, asyncio.Future] = {}


async def _opened(campaign_id: int) -> tuple[str, dict] | None:
    future = _reading.get(campaign_id)
    if future is None:
        read = database_sync_to_async(_open, thread_sensitive=False)
        future = asyncio.ensure_future(read(campaign_id))
        _reading[campaign_id] = future
        future.add_done_callback(lambda _done: _reading.pop(campaign_id, None))
    return await asyncio.shield(future)


class CampaignConsumer(BoardConsumer):
    """BoardConsumer's hygiene (per-address cap, ping only, errors as codes), with
    the campaign's data in its frames instead of a board's rows."""

    async def connect(self):
        await self.accept()
        client = self.scope.get("client") or ("unknown", 0)
        address = client[0]
        if not HUB.admit(address):
            await self._refuse(4429, "too_many_connections")
            return
        self.address = address
        raw = self.scope["url_route"]["kwargs"]["campaign"]
        campaign_id = int(raw)
        name = selectors.live_name(campaign_id)
        try:
            cached = selectors.cached_public_data(campaign_id)
            if cached is not None and name in HUB.followers:
                data = cached
            else:
                opened = await _opened(campaign_id)
                if opened is None:
                    await self._refuse(4404, "unknown_campaign")
                    return
                prefix, data = opened
                HUB.follow(
                    name,
                    board_prefix=prefix,
                    reader=functools.partial(selectors.read_public, campaign_id),
                    quick=functools.partial(selectors.live_points, campaign_id),
                )
        except Exception:
            await self._refuse(4500, "internal_error")
            return
        self.board_name = name
        await self.send_frame(
            json.dumps({"type": "snapshot", **data}, ensure_ascii=False)
        )
        HUB.subscribe(name, self)
