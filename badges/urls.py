from django.urls import path, re_path

from . import views

app_name = "badges"

urlpatterns = [
    path("badges/", views.catalogue, name="catalogue"),
    path("badges/verify/", views.verify, name="verify"),
    path("badges/award/", views.award, name="award"),
    path("badges/classes/<int:pk>/", views.class_detail, name="class"),
    path("badges/classes/<int:pk>/image.png", views.class_image, name="class_image"),
    path("badges/issuers/<int:pk>/", views.issuer, name="issuer"),
    path("badges/issuers/<int:pk>/revocations/", views.revocations, name="revocations"),
    re_path(r"^badges/keys/(?P<thumbprint>[A-Za-z0-9_-]{43})/$", views.key, name="key"),
    path("badges/assertions/<uuid:uid>/", views.assertion, name="assertion"),
    path(
        "badges/assertions/<uuid:uid>/image.png",
        views.assertion_image,
        name="assertion_image",
    ),
    path(
        "badges/assertions/<uuid:uid>/credential.jwt",
        views.assertion_jwt,
        name="assertion_jwt",
    ),
    path(
        "badges/assertions/<uuid:uid>/credential.png",
        views.assertion_credential_png,
        name="assertion_credential_png",
    ),
    path(
        "badges/assertions/<uuid:uid>/preview.png",
        views.assertion_preview,
        name="assertion_preview",
    ),
    path("badges/assertions/<uuid:uid>/revoke/", views.revoke, name="revoke"),
    path("badges/people/<int:pk>/", views.person_wall, name="person_wall"),
    path(
        "badges/people/<int:pk>/preview.png",
        views.person_wall_preview,
        name="person_wall_preview",
    ),
    path("badges/units/<int:pk>/", views.unit_wall, name="unit_wall"),
    path(
        "badges/units/<int:pk>/preview.png",
        views.unit_wall_preview,
        name="unit_wall_preview",
    ),
    re_path(
        r"^badges/previews/boards/(?P<board>[A-Za-z0-9_-]{1,80})\.png$",
        views.board_preview,
        name="board_preview",
    ),
    path("api/v1/badges/recent/", views.api_recent, name="api_recent"),
]
