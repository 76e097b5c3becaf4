from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    # Public: the province's progress toward its targets.
    path("progress/", views.progress_index, name="progress_index"),
    path("progress/<int:pk>/", views.progress, name="progress"),
    path(
        "progress/<int:pk>/preview.png", views.progress_preview, name="progress_preview"
    ),
    # Signed in: dashboards, targets, periodic reports.
    path("reports/", views.index, name="index"),
    path("reports/units/<int:pk>/", views.unit_dashboard, name="dashboard"),
    path("reports/units/<int:pk>/targets/", views.unit_targets, name="targets"),
    path("reports/units/<int:pk>/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("reports/<int:pk>/report.csv", views.report_csv, name="report_csv"),
    path("reports/<int:pk>/report.docx", views.report_docx, name="report_docx"),
]
