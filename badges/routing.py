from channels.auth import AuthMiddlewareStack
from django.urls import re_path

from .consumers import MeConsumer

websocket_urlpatterns = [
    re_path(r"^ws/me/$", AuthMiddlewareStack(MeConsumer.as_asgi())),
]
