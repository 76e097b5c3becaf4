"""A campaign's page moves on the "points" frame alone.

After a credit the hub sends the branches' points and ranks at once (as fast as a
board's frame) and the full data when its read is done. Here the page's socket is
routed through Playwright and the full frames are held back: the board on the page
must still show the new leader and its points, from the points frame.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.campaigns.conftest import (  # noqa: F401 (fixtures)
    campaign,
    created,
    fresh_campaign_cache,
    member,
    organiser,
    union,
    verified_check_in,
)
from tests.competitions.conftest import today  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_the_points_frame_alone_moves_the_campaign_board(
    page,
    live_asgi,
    campaign,  # noqa: F811
    member,  # noqa: F811
    organiser,  # noqa: F811
    union,  # noqa: F811
):
    received = []

    def route(socket):
        server = socket.connect_to_server()

        def forward(message):
            kind = json.loads(message)["type"]
            received.append(kind)
            if kind != "update":
                socket.send(message)

        server.on_message(forward)

    page.route_web_socket(re.compile(r"/ws/campaigns/"), route)
    page.goto(f"{live_asgi}/campaigns/{campaign.pk}/")
    expect(page.locator(".live-status")).to_be_visible()  # the socket is open
    for _ in range(100):
        if "snapshot" in received:
            break
        page.wait_for_timeout(100)
    first_row = page.locator('[data-part="by-points"] tbody tr').first
    expect(first_row).not_to_contain_text("29")

    verified_check_in(campaign, member, union["ho_lien"], organiser, quantity=9)

    expect(first_row).to_contain_text(union["ho_lien"].name)
    expect(first_row).to_contain_text("29")
    assert received[0] == "snapshot" and "points" in received, received
