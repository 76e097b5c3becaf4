"""Pages: households."""

urlpatterns: list = []
