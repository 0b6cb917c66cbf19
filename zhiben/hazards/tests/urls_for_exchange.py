"""The site's URLs with the exchange pages inside the `hazards` namespace, as hazards/urls.py will include them."""

from django.urls import URLResolver, include, path

from zhiben import urls as site
from zhiben.hazards import urls as hazard_urls
from zhiben.hazards import urls_exchange

_names = {getattr(p, "name", None) for p in hazard_urls.urlpatterns}
_hazards = [*hazard_urls.urlpatterns, *(p for p in urls_exchange.urlpatterns if p.name not in _names)]

urlpatterns = [
    *(p for p in site.urlpatterns if not (isinstance(p, URLResolver) and p.namespace == "hazards")),
    path("hazards/", include((_hazards, "hazards"))),
]
