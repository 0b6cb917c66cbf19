"""Pages: handling (see urls.py)."""

urlpatterns: list = []
