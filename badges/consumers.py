"""The signed-in person's own socket: awards reach them live, on any page.

Separate from the board sockets on purpose: those serve crowds without a session
lookup, this one needs the user (AuthMiddlewareStack on its route only) and joins
the group `me.<user id>`, to which `services` sends `badge.awarded` after commit.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

UNAUTHENTICATED = 4401
BAD_MESSAGE = 4400


class MeConsumer(AsyncJsonWebsocketConsumer):
    group = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.group = f"me.{user.pk}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Only keep-alive pings are accepted from the browser.
        if text_data != "ping":
            await self.close(code=BAD_MESSAGE)

    async def badge_awarded(self, event):
        await self.send_json(
            {
                "type": "badge.awarded",
                "badge": event["badge"],
                "message": event["message"],
                "url": event["url"],
            }
        )
