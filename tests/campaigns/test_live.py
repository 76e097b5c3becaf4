"""A campaign's socket: its data on connect, then frames when a check-in is
verified (the points at once, then the full data), through the worker's board hub
(the real ASGI application)."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from leaderboards.hub import HUB
from tests.campaigns.conftest import verified_check_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

HEADERS = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]


def communicator(path):
    socket = WebsocketCommunicator(application, path, headers=HEADERS)
    socket.scope["client"] = ("203.0.113.9", 5000)
    return socket


async def test_a_verified_check_in_moves_the_page_live(
    campaign, member, organiser, union
):
    socket = communicator(f"/ws/campaigns/{campaign.pk}/")
    connected, _ = await socket.connect()
    # the first frame is a full read: over a second on a loaded two-core machine
    first = json.loads(await socket.receive_from(timeout=10))

    submission = await database_sync_to_async(verified_check_in)(
        campaign, member, union["ho_lien"], organiser, quantity=9
    )
    frames = []
    # A frame is one read of the campaign after the change: seconds on a loaded
    # two-core machine, so the wait is generous.
    while not await socket.receive_nothing(timeout=8):
        frames.append(json.loads(await socket.receive_from()))

    assert connected and first["type"] == "snapshot"
    assert all(b["points"] == 0 for b in first["branches"])
    # The points first, from the ranking store alone, as fast as a board's frame;
    # then the full read with the progress and the feed.
    types = [frame["type"] for frame in frames]
    assert types[0] == "points" and types[-1] == "update", types
    points = [frame for frame in frames if frame["type"] == "points"][-1]
    assert points["branches"][0] == {
        "id": union["ho_lien"].pk,
        "points": 20 + 9,
        "rank": 1,
        "rank_percent": 1,
    }
    assert points["by_percent"][0] == union["ho_lien"].pk
    assert set(points) == {"type", "id", "branches", "by_percent", "at"}
    leader = frames[-1]["branches"][0]
    assert leader["id"] == union["ho_lien"].pk
    assert leader["points"] == 20 + 9
    assert leader["values"]["classes_held"] == 1
    assert frames[-1]["feed"][0]["id"] == submission.pk
    # The consumer's release runs on the disconnect; a loaded machine took longer
    # than the communicator's default second to get there.
    await socket.disconnect(timeout=10)
    assert HUB.by_address == {}


async def test_an_unknown_campaign_is_closed_with_a_reason(db):
    socket = communicator("/ws/campaigns/999999/")

    await socket.connect()
    message = json.loads(await socket.receive_from())
    closed = await socket.receive_output()

    assert message == {"type": "error", "code": "unknown_campaign"}
    assert closed["code"] == 4404


async def test_a_campaign_closed_elsewhere_sends_no_points_frame(campaign):
    """Another worker closed it: this worker's last read still says running, but no
    later credit may move the frozen page, not even for the moment before the full
    frame."""
    from campaigns import selectors
    from campaigns.models import Campaign

    @database_sync_to_async
    def points_before_and_after_the_close():
        selectors.public_data(campaign)  # this worker's last full read
        before = selectors.live_points(campaign.pk)
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
        return before, selectors.live_points(campaign.pk)

    before, after = await points_before_and_after_the_close()

    assert before is not None and after is None
