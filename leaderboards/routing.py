from django.urls import re_path

from .consumers import BoardConsumer

websocket_urlpatterns = [
    re_path(
        r"^ws/leaderboards/(?P<board>[A-Za-z0-9_-]{1,80})/$", BoardConsumer.as_asgi()
    ),
]
