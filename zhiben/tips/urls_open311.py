"""Open311 GeoReport v2 (/open311/v2/): existing citizen-reporting apps submit into the same intake."""

urlpatterns: list = []
