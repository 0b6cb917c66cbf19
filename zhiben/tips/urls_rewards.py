"""Pages: rewards (see urls.py)."""

urlpatterns: list = []
