from django.urls import path

from . import api, views

app_name = "leaderboards"

urlpatterns = [
    path("leaderboards/", views.board_list, name="index"),
    path("leaderboards/<str:board>/", views.board_detail, name="board"),
    path("leaderboards/<str:board>/poster/", views.board_poster, name="poster"),
    path("api/v1/leaderboards/", api.board_list, name="api_list"),
    path("api/v1/leaderboards/<str:board>/", api.board_detail, name="api_board"),
    path(
        "api/v1/overview/<int:competition>-<int:scope>/",
        api.overview,
        name="api_overview",
    ),
]
