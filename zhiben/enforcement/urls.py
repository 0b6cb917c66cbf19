"""Pages of enforcement: cases, measures, the discretion benchmark, 打非治违, statistics."""

from django.urls import URLPattern, URLResolver

from . import urls_stats

app_name = "enforcement"

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += urls_stats.urlpatterns
