"""Pages: completions."""

urlpatterns: list = []
