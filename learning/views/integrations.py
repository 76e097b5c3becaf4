"""Pages: integrations."""

urlpatterns: list = []
