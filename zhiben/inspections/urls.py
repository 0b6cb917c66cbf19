"""Pages of inspections: records and inspectors, self-inspection duties, plans and 双随机 draws."""

from . import urls_duties, urls_plans, urls_records

app_name = "inspections"

urlpatterns = [*urls_records.urlpatterns, *urls_duties.urlpatterns, *urls_plans.urlpatterns]
