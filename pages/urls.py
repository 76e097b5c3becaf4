from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("design/", views.design, name="design"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
]
