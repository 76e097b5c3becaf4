"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models (consumers do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import re_path  # noqa: E402

from badges.routing import websocket_urlpatterns as personal_sockets  # noqa: E402
from campaigns.routing import websocket_urlpatterns as campaign_sockets  # noqa: E402
from config.origins import SameOriginValidator  # noqa: E402
from config.sockets import NoSuchSocket  # noqa: E402
from leaderboards.projector import start_catch_up_timer  # noqa: E402
from leaderboards.routing import websocket_urlpatterns  # noqa: E402
from units.body_limits import BodyLimitGuard  # noqa: E402

# Only servers load this module: each worker projects what awards left behind
# (Redis down, projector busy) on start and every few seconds, and runs the
# scheduled jobs that are due, unless one `manage.py run_scheduler` process does
# (SCHEDULER=process, the production setting: README "Operations").
if settings.SCHEDULER == "workers":
    start_catch_up_timer()

application = ProtocolTypeRouter(
    {
        # A body over its path's limit is never read (units/body_limits.py).
        "http": BodyLimitGuard(django_asgi_app),
        # A browser sends its cookies cross-site on a WebSocket handshake, so the
        # Origin must be this site's own scheme, host and port (config/origins.py).
        # The public boards need no user: leaving out AuthMiddlewareStack spares
        # every handshake a session lookup in the worker's one sync thread, which
        # in a reconnect storm of thousands queues past daphne's handshake timeout.
        # /ws/me/ (a person's own awards) carries its own AuthMiddlewareStack.
        "websocket": SameOriginValidator(
            URLRouter(
                websocket_urlpatterns
                + campaign_sockets
                + personal_sockets
                + [re_path(r"", NoSuchSocket.as_asgi())]
            )
        ),
    }
)
