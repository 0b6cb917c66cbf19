"""举报奖励 indicators (屈安发〔2024〕1号 三(四)9): declared here as 未接入 with their ids; the tips app
(`zhiben/tips/indicators.py`) wires them with `registry.connect(id, records_fn, source="tips")`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..registry import DEPARTMENT, DISTRICT, TOWNSHIP, placeholder

GROUP = str(_("举报奖励"))
SEED = "屈安发〔2024〕1号 三(四)9"
SCOPES = frozenset({DISTRICT, TOWNSHIP, DEPARTMENT})

placeholder(
    "tips.accept_on_time",
    str(_("举报按时受理率")),
    str(_("在受理时限内受理的举报 ÷ 应受理的举报。")),
    source="tips",
    numerator_label=str(_("按时受理")),
    denominator_label=str(_("应受理")),
    seed_ref=SEED,
    group=GROUP,
    scopes=SCOPES,
)
placeholder(
    "tips.verify_on_time",
    str(_("举报按时核查率")),
    str(_("在核查时限内办结核查的举报 ÷ 应办结核查的举报。")),
    source="tips",
    numerator_label=str(_("按时核查")),
    denominator_label=str(_("应核查")),
    seed_ref=SEED,
    group=GROUP,
    scopes=SCOPES,
)
placeholder(
    "tips.founded_rate",
    str(_("举报属实率")),
    str(_("核查属实的举报 ÷ 已办结核查的举报。")),
    source="tips",
    target=None,
    numerator_label=str(_("属实")),
    denominator_label=str(_("已核查")),
    seed_ref=SEED,
    group=GROUP,
    scopes=SCOPES,
)
placeholder(
    "tips.reward_paid_rate",
    str(_("举报奖励兑现率")),
    str(_("已发放的奖励 ÷ 已批准的奖励。")),
    source="tips",
    numerator_label=str(_("已发放")),
    denominator_label=str(_("已批准")),
    seed_ref=SEED,
    group=GROUP,
    scopes=frozenset({DISTRICT}),
)
placeholder(
    "tips.internal_reports",
    str(_("企业内部隐患报告")),
    str(_("本季度从业人员向本单位报告的事故隐患数（内部举报）。")),
    source="tips",
    unit="个",
    target=None,
    numerator_label=str(_("内部报告")),
    seed_ref=SEED + "、三(五)12",
    group=GROUP,
    scopes=frozenset({DISTRICT, TOWNSHIP}),
)
