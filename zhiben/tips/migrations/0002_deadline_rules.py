"""The deadlines of a tip's handling as data (TipDeadlineRule), each with its source; all 待核实 (verified=False)
until the office confirms them (research/domain.md §6: the 2012 national rules, likely carried over in the
2018 text; local practice for the rest)."""

from django.db import migrations

NATIONAL = "《安全生产领域举报奖励办法》（安监总财〔2018〕19号）；期限沿用2012年版（安监总财〔2012〕63号），待核实"

RULES = [
    ("accept", "受理期限", 5, True, "地方实践：收到举报之日起5个工作日内决定是否受理（待核实）"),
    ("verify", "核查期限", 60, False, NATIONAL + "：受理之日起60日内核查处理完毕"),
    ("extend", "延期上限", 30, False, NATIONAL + "：情况复杂的经批准可延长，延长不超过30日，并告知举报人理由"),
    ("feedback", "反馈期限", 10, False, NATIONAL + "：核查处理完毕后10日内答复举报人"),
    ("reward_decision", "奖励决定期限", 15, True, "地方实践（荆州）：结案后15个工作日内作出奖励决定（待核实）"),
    ("reward_claim", "领奖期限", 60, False, NATIONAL + "：举报人应自接到奖励通知之日起60日内领取，逾期视为放弃"),
    ("remind", "到期提醒提前", 3, False, "本区设定：期限届满前3日提醒承办人（待核实）"),
    ("overdue_notice", "逾期提醒", 1, False, "本区设定：逾期1日起提醒承办部门和属地乡镇（街道）（待核实）"),
    ("overdue_letter", "逾期函告", 5, False, "本区设定：逾期5日起函告承办单位并报区安委办（待核实）"),
    ("duplicate_window", "重复举报比对期", 30, False, "本区设定：同一单位同一类别30日内的举报提示疑似重复（待核实）"),
]


def ship(apps, schema_editor):
    Rule = apps.get_model("tips", "TipDeadlineRule")
    for stage, name, days, working_days, source in RULES:
        Rule.objects.get_or_create(
            stage=stage,
            defaults={
                "name": name,
                "days": days,
                "working_days": working_days,
                "source": source,
                "verified": False,
            },
        )


def unship(apps, schema_editor):
    Rule = apps.get_model("tips", "TipDeadlineRule")
    Rule.objects.filter(stage__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("tips", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]
