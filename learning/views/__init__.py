"""The learning app's pages, one module per journey; each lists its own urlpatterns."""
