"""Forms of 监测预警: the alarm and check-task steps (also the API's serializers) and the device form."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.hazards.choices import Level as HazardLevel
from zhiben.risk.models import RiskPoint

from .choices import HUMAN_CLEAR_REASONS
from .models import Device, SensorType

NOTE = forms.Textarea(attrs={"rows": 2})


class AckForm(BoundedForm):
    note = forms.CharField(label=_("确认说明"), widget=NOTE, required=False, max_length=500)


class HandleForm(BoundedForm):
    note = forms.CharField(label=_("处置措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ClearForm(BoundedForm):
    reason = forms.ChoiceField(label=_("消警原因"), choices=HUMAN_CLEAR_REASONS)
    note = forms.CharField(label=_("消警说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class DangerForm(BoundedForm):
    title = forms.CharField(label=_("隐患名称"), max_length=200)
    level = forms.ChoiceField(label=_("隐患等级"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL)
    description = forms.CharField(
        label=_("险情描述"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class CheckForm(BoundedForm):
    result = forms.CharField(label=_("核查情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


class DeviceForm(BoundedForm):
    """登记/修改监测设备 (the thresholds default to the type's when left blank)."""

    code = forms.RegexField(
        label=_("设备编号"),
        regex=r"^[A-Za-z0-9_-]{1,40}$",
        max_length=40,
        error_messages={"invalid": _("设备编号只能由字母、数字、下划线和连字符组成。")},
    )
    name = forms.CharField(label=_("设备名称"), max_length=100)
    sensor_type = forms.ModelChoiceField(label=_("监测类型"), queryset=SensorType.objects.none())
    location = forms.CharField(label=_("安装位置"), max_length=100)
    risk_point = forms.CharField(label=_("关联风险点"), max_length=100, required=False)
    risk_point_ref = forms.ModelChoiceField(
        label=_("双重预防风险点"), queryset=RiskPoint.objects.none(), required=False
    )
    interval_seconds = forms.IntegerField(label=_("上报周期（秒）"), min_value=1, max_value=86400, initial=60)
    yellow = forms.FloatField(label=_("一级报警值（黄色）"), required=False)
    orange = forms.FloatField(label=_("二级报警值（橙色）"), required=False)
    red = forms.FloatField(label=_("红色报警值"), required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["sensor_type"].queryset = SensorType.objects.unrestricted("reference data")  # type: ignore[attr-defined]

    def clean(self):  # type: ignore[no-untyped-def]
        super().clean()
        data = self.cleaned_data
        kind = data.get("sensor_type")
        if kind is not None:
            for name in ("yellow", "orange", "red"):
                if data.get(name) is None:
                    data[name] = getattr(kind, name)
            check_thresholds(self, kind)
        return data


def check_thresholds(form: forms.Form, kind: SensorType) -> None:
    """The three alarm values inside the type's physical range and in order (一级 → 二级 → 红色 in the type's
    direction); field errors on `form`."""
    data = form.cleaned_data
    if any(data.get(name) is None for name in ("yellow", "orange", "red")):
        return  # a field error already
    values = [data["yellow"], data["orange"], data["red"]]
    for name in ("yellow", "orange", "red"):
        if not kind.physical_min <= data[name] <= kind.physical_max:
            form.add_error(
                name,
                _("报警值应在量程 %(a)s～%(b)s 内。") % {"a": kind.physical_min, "b": kind.physical_max},
            )
    ordered = values == sorted(values) if kind.direction == "high" else values == sorted(values, reverse=True)
    if not ordered:
        form.add_error("orange", _("报警值应按一级、二级、红色逐级递进。"))


class DeviceEditForm(BoundedForm):
    """修改监测设备: name, place, linked risk point, reporting interval, the device's own alarm values (its type's
    are the defaults), and 启用/停用. The code and the type stay: the code is in the device's topic and signature."""

    name = forms.CharField(label=_("设备名称"), max_length=100)
    location = forms.CharField(label=_("安装位置"), max_length=100)
    risk_point = forms.CharField(label=_("关联风险点"), max_length=100, required=False)
    risk_point_ref = forms.ModelChoiceField(
        label=_("双重预防风险点"), queryset=RiskPoint.objects.none(), required=False
    )
    interval_seconds = forms.IntegerField(label=_("上报周期（秒）"), min_value=1, max_value=86400)
    yellow = forms.FloatField(label=_("一级报警值（黄色）"))
    orange = forms.FloatField(label=_("二级报警值（橙色）"))
    red = forms.FloatField(label=_("红色报警值"))
    hysteresis = forms.FloatField(label=_("回差"), min_value=0)
    delay_seconds = forms.IntegerField(label=_("报警延时（秒）"), min_value=0, max_value=3600)
    active = forms.BooleanField(
        label=_("启用"),
        required=False,
        help_text=_("停用后该设备上报的报文一律拒收并计数，也不再判定离线。"),
    )

    def __init__(self, data=None, *, instance: Device, user=None, **kwargs):  # type: ignore[no-untyped-def]
        initial = {name: getattr(instance, name) for name in Device.EDITABLE}
        super().__init__(data, initial=initial, **kwargs)
        self.instance = instance
        # The unit's risk points the editor may read, and the one linked now (kept even if it may not).
        seen = Q(pk=instance.risk_point_ref_id)
        if user is not None:
            seen |= Q(pk__in=RiskPoint.objects.restrict(user, "view").values("pk"))
        self.fields["risk_point_ref"].queryset = (  # type: ignore[attr-defined]
            RiskPoint.objects.unrestricted("the points of a device the editor may change")
            .filter(seen, enterprise_id=instance.enterprise_id)
            .order_by("name")
        )
        unit = instance.sensor_type.unit
        for name in ("yellow", "orange", "red", "hysteresis"):
            self.fields[name].label = f"{self.fields[name].label}（{unit}）"

    def clean(self):  # type: ignore[no-untyped-def]
        super().clean()
        kind = self.instance.sensor_type
        check_thresholds(self, kind)
        h = self.cleaned_data.get("hysteresis")
        if h is not None and h > kind.physical_max - kind.physical_min:
            self.add_error("hysteresis", _("回差不能大于量程。"))
        return self.cleaned_data


__all__ = [
    "AckForm",
    "CheckForm",
    "ClearForm",
    "DangerForm",
    "Device",
    "DeviceEditForm",
    "DeviceForm",
    "HandleForm",
    "check_thresholds",
]
