from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path

from pages import views as page_views
from units import views as unit_views
from units.metrics import metrics_view

# The admin's own sign-in has no rate limit (research/reliability.md §1.3: 50 wrong
# passwords in a row were all tried). Send it to allauth's, which locks after five.
admin.site.login = staff_member_required(admin.site.login, login_url=settings.LOGIN_URL)
admin.site.site_header = "Thi Đua Số"

urlpatterns = [
    path("", page_views.home, name="home"),
    path("healthz", unit_views.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/choose/<str:code>/", unit_views.choose_language, name="choose_language"),
    path("admin/", admin.site.urls),
    path("units/", include("units.urls")),
    path("", include("leaderboards.urls")),
    path("", include("competitions.urls")),
    path("", include("learning.urls")),
    path("", include("badges.urls")),
    path("", include("commendations.urls")),
    path("", include("campaigns.urls")),
    path("", include("reports.urls")),
    path("", include("pages.urls")),
]

handler400 = "units.views.bad_request"
handler403 = "units.views.permission_denied"
handler404 = "units.views.page_not_found"
handler500 = "units.views.server_error"
