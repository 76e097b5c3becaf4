from django.urls import path

from . import ledger_views, views

app_name = "competitions"

urlpatterns = [
    path("competitions/", views.competition_list, name="competitions"),
    path("competitions/<int:pk>/", views.competition_detail, name="competition"),
    path("competitions/<int:pk>/rules/new/", views.rule_new, name="rule_new"),
    path(
        "rules/<int:pk>/recalculate/", views.rule_recalculate, name="rule_recalculate"
    ),
    path("submissions/", views.submission_list, name="submissions"),
    path("submissions/new/", views.submission_new, name="submission_new"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/edit/", views.submission_edit, name="submission_edit"),
    path(
        "submissions/<int:pk>/submit/",
        views.submission_submit,
        name="submission_submit",
    ),
    path(
        "submissions/<int:pk>/decide/",
        views.submission_decide,
        name="submission_decide",
    ),
    path(
        "submissions/<int:pk>/appeal/",
        views.submission_appeal,
        name="submission_appeal",
    ),
    path(
        "submissions/<int:pk>/appeal/decide/", views.appeal_decide, name="appeal_decide"
    ),
    path(
        "submissions/<int:pk>/revoke/",
        views.submission_revoke,
        name="submission_revoke",
    ),
    path(
        "submissions/<int:pk>/comments/",
        views.submission_comment,
        name="submission_comment",
    ),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("review/", views.review_queue, name="review"),
    path("review/approve/", views.review_approve, name="review_approve"),
    path("people/me/points/", views.my_points, name="my_points"),
    path("people/<int:pk>/points/", views.person_points, name="person_points"),
    path("audit/", views.audit_log, name="audit"),
    path("ledger/", ledger_views.ledger_blocks, name="ledger_blocks"),
    path(
        "ledger/blocks.json", ledger_views.ledger_blocks_json, name="ledger_blocks_json"
    ),
    path("notifications/", views.notifications, name="notifications"),
]
