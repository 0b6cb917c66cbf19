# The deadline rules (tips-handling) and the reward rules (tips-vault) each follow 0001_initial; this joins
# them so the branches merged together migrate (a merge migration: no operations).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tips", "0002_deadline_rules"), ("tips", "0003_reward_rules")]
    operations: list = []
