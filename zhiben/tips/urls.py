"""Pages of the whistleblower channel, one module per area: the public portal (no login), the handlers'
pages, the identity vault, rewards, and statistics with the enterprises' internal reporting."""

from . import urls_handling, urls_public, urls_rewards, urls_stats, urls_vault

app_name = "tips"

urlpatterns = [
    *urls_public.urlpatterns,
    *urls_handling.urlpatterns,
    *urls_vault.urlpatterns,
    *urls_rewards.urlpatterns,
    *urls_stats.urlpatterns,
]
