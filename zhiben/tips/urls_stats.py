"""Pages: stats (see urls.py)."""

urlpatterns: list = []
