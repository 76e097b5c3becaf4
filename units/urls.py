from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("mine/", views.mine, name="mine"),
    path("me/", views.profile, name="profile"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/members/", views.unit_members, name="members"),
    path("<int:pk>/headcounts/", views.edit_headcounts, name="headcounts"),
    path("<int:pk>/move/", views.move, name="move"),
]
