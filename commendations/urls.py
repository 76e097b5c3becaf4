from django.urls import path

from .views import councils, decisions, honour, nominations, reviews

app_name = "commendations"

urlpatterns = [
    # Public: the honour board and each award's and decision's record.
    path("honour/", honour.board, name="honour"),
    path("honour/preview.png", honour.board_preview, name="honour_preview"),
    path("honour/awards/<uuid:uid>/", honour.award, name="award"),
    path(
        "honour/awards/<uuid:uid>/preview.png",
        honour.award_preview,
        name="award_preview",
    ),
    path(
        "honour/awards/<uuid:uid>/certificate.png",
        honour.certificate_png,
        name="certificate_png",
    ),
    path(
        "honour/awards/<uuid:uid>/certificate.pdf",
        honour.certificate_pdf,
        name="certificate_pdf",
    ),
    path("honour/decisions/<uuid:uid>/", honour.decision, name="decision"),
    path(
        "honour/decisions/<uuid:uid>/annex.xlsx",
        honour.decision_annex,
        name="decision_annex",
    ),
    # Signed in: reviews and nominations.
    path("commendations/", reviews.index, name="index"),
    path("commendations/reviews/<int:pk>/", reviews.review, name="review"),
    path("commendations/reviews/<int:pk>/close/", reviews.close, name="review_close"),
    path(
        "commendations/reviews/<int:pk>/submit/", reviews.submit, name="review_submit"
    ),
    path(
        "commendations/reviews/<int:pk>/dossiers/",
        reviews.dossiers_view,
        name="review_dossiers",
    ),
    path(
        "commendations/reviews/<int:pk>/letter/", reviews.letter, name="review_letter"
    ),
    path(
        "commendations/reviews/<int:pk>/letter.docx",
        reviews.letter_docx,
        name="review_letter_docx",
    ),
    path(
        "commendations/reviews/<int:pk>/nominees.xlsx",
        reviews.nominees_xlsx,
        name="review_xlsx",
    ),
    path("commendations/nominations/new/", nominations.new, name="nomination_new"),
    path(
        "commendations/nominations/<uuid:uid>/", nominations.detail, name="nomination"
    ),
    path(
        "commendations/nominations/<uuid:uid>/edit/",
        nominations.edit,
        name="nomination_edit",
    ),
    path(
        "commendations/nominations/<uuid:uid>/submit/",
        nominations.submit,
        name="nomination_submit",
    ),
    path(
        "commendations/nominations/<uuid:uid>/return/",
        nominations.send_back,
        name="nomination_return",
    ),
    path(
        "commendations/nominations/<uuid:uid>/report.docx",
        nominations.report_docx,
        name="nomination_report",
    ),
    # Councils, sessions and ballots.
    path("commendations/councils/<int:pk>/", councils.council, name="council"),
    path("commendations/sessions/<int:pk>/", councils.session, name="session"),
    path(
        "commendations/sessions/<int:pk>/attendance/",
        councils.attendance,
        name="session_attendance",
    ),
    path(
        "commendations/sessions/<int:pk>/agenda/",
        councils.agenda,
        name="session_agenda",
    ),
    path(
        "commendations/sessions/<int:pk>/items/<int:item>/vote/",
        councils.vote,
        name="session_vote",
    ),
    path(
        "commendations/sessions/<int:pk>/close/", councils.close, name="session_close"
    ),
    path(
        "commendations/sessions/<int:pk>/minutes/",
        councils.minutes,
        name="session_minutes",
    ),
    path(
        "commendations/sessions/<int:pk>/minutes.docx",
        councils.minutes_docx,
        name="session_minutes_docx",
    ),
    # Decisions.
    path("commendations/councils/<int:pk>/decide/", decisions.new, name="decision_new"),
    path(
        "commendations/awards/<uuid:uid>/revoke/", decisions.revoke, name="award_revoke"
    ),
]
