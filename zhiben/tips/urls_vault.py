"""Pages: vault (see urls.py)."""

urlpatterns: list = []
