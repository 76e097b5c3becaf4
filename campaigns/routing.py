from django.urls import re_path

from .consumers import CampaignConsumer

websocket_urlpatterns = [
    re_path(r"^ws/campaigns/(?P<campaign>[0-9]{1,9})/$", CampaignConsumer.as_asgi()),
]
