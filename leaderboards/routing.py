"""WebSocket routes; the board consumer lands with the live leaderboards."""

websocket_urlpatterns: list = []
