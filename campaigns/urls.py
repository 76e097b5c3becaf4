from django.urls import path

from .views import members, organiser, public

app_name = "campaigns"

urlpatterns = [
    # Public: printed on posters and projected, so they never move.
    path("campaigns/", public.campaign_list, name="list"),
    path("campaigns/<int:pk>/", public.campaign, name="campaign"),
    path("campaigns/<int:pk>/screen/", public.screen, name="screen"),
    path(
        "campaigns/<int:pk>/checkins/<int:submission>/photo.jpg",
        public.photo,
        name="photo",
    ),
    # The organiser's.
    path("campaigns/new/", organiser.new, name="new"),
    path("campaigns/<int:pk>/manage/", organiser.manage, name="manage"),
    path("campaigns/<int:pk>/enrol/", organiser.enrol, name="enrol"),
    path("campaigns/<int:pk>/code/", organiser.new_code, name="code"),
    path("campaigns/<int:pk>/targets/", organiser.targets, name="targets"),
    path(
        "campaigns/<int:pk>/checkins/<int:submission>/verify/",
        organiser.verify,
        name="verify",
    ),
    path("campaigns/<int:pk>/close/", organiser.close, name="close"),
    # A member's.
    path("campaigns/join/", members.join, name="join"),
    path("campaigns/<int:pk>/checkin/", members.check_in, name="checkin"),
]
