from .views import (
    catalogue,
    completions,
    households,
    imports,
    integrations,
    mentoring,
    sessions,
)

app_name = "learning"

urlpatterns = [
    *catalogue.urlpatterns,
    *completions.urlpatterns,
    *sessions.urlpatterns,
    *imports.urlpatterns,
    *mentoring.urlpatterns,
    *households.urlpatterns,
    *integrations.urlpatterns,
]
