"""Pages: mentoring."""

urlpatterns: list = []
