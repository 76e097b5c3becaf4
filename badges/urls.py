from django.urls import path

from . import views

app_name = "badges"

urlpatterns = [
    path("badges/assertions/<uuid:uid>/", views.assertion, name="assertion"),
]
