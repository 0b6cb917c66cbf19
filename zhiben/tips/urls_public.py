"""Pages: public (see urls.py)."""

urlpatterns: list = []
