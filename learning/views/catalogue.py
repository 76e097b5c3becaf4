"""Pages: catalogue."""

urlpatterns: list = []
