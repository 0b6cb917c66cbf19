"""Open311 GeoReport v2 (/open311/v2/): existing citizen-reporting apps file into the same intake.

* `GET services.json` — the four categories as services (realtime, no extra metadata);
* `POST requests.json` — form-encoded as stock clients send it (service_code, description, lat, long,
  address_string, first_name, last_name, phone, email, media_url, api_key …) → `[{"service_request_id",
  "service_notice", "token": null}]`: the receipt code is in `service_notice`, shown once, so the citizen can
  follow the tip (on /tips/status/ or here). first_name / last_name / phone go to the identity vault; `email`
  is not kept (the vault has no column for it) and `media_url` is not fetched (no request to a third party
  on a reporter's behalf; photos go through the portal or the public API);
* `GET requests/{id}.json` — the tip's public status. Request ids (举报编号) are sequential, so without the
  tip's receipt (`?receipt=`, an extension of the spec) only the category, open/closed and the dates are
  answered; with it, also the public feedback (`status_notes`) and the address the reporter gave;
* `GET requests.json` — the list of requests is not public: 400.

Errors per the spec: `[{"code": 400, "description": "…"}]` with that HTTP status. The same limits and
privacy headers as the portal; nothing about the client is stored.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from .. import ratelimit
from ..choices import Category, Channel, PublicStatus
from ..models import Tip
from ..services import receipts
from ..services.intake import submit_tip
from .public import public

KEYWORDS = {
    Category.MAJOR_HAZARD: "重大事故隐患,安全生产,隐患",
    Category.HAZARD: "一般隐患,安全生产,隐患",
    Category.ILLEGAL: "非法生产,违法经营,违法建设,打非治违",
    Category.CONCEALED: "瞒报,谎报,事故",
}
DESCRIPTIONS = {
    Category.MAJOR_HAZARD: "可能导致重大事故的安全隐患，如危险化学品、燃气、粉尘、有限空间等重大隐患",
    Category.HAZARD: "其他安全生产事故隐患",
    Category.ILLEGAL: "无证照或超范围生产经营、违法建设施工等",
    Category.CONCEALED: "生产安全事故瞒报、谎报、迟报",
}
GROUP = "安全生产举报"


def _json(body: Any, status: int = 200) -> HttpResponse:
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(status: int, description: str) -> HttpResponse:
    return _json([{"code": status, "description": description}], status=status)


def _limited(limit: ratelimit.Limit) -> HttpResponse:
    response = _error(429, limit.message)
    response[ratelimit.RETRY_AFTER] = str(limit.seconds)
    return response


def _iso(value: Any) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


@public
@require_GET
def services(request: HttpRequest) -> HttpResponse:
    return _json(
        [
            {
                "service_code": str(category.value),
                "service_name": str(category.label),
                "description": DESCRIPTIONS[category],
                "metadata": False,
                "type": "realtime",
                "keywords": KEYWORDS[category],
                "group": GROUP,
            }
            for category in Category
        ]
    )


def _first_error(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(" ".join(str(m) for m in v) for v in exc.message_dict.values())
    return "；".join(exc.messages)


@public
@require_http_methods(["GET", "POST"])
def requests_(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _error(400, "举报列表不公开：请用 requests/{service_request_id}.json 查询单条举报。")
    if not ratelimit.hit(request, ratelimit.SUBMIT):
        return _limited(ratelimit.SUBMIT)
    data = request.POST
    service_code = (data.get("service_code") or "").strip()
    if service_code not in Category.values:
        return _error(400, "service_code 无效：请使用 services.json 列出的举报类别。")
    lat, lng = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    address = (data.get("address_string") or "").strip()
    if not (lat and lng) and not address:
        return _error(400, "请提供位置：lat 与 long，或 address_string。")
    name = f"{(data.get('last_name') or '').strip()}{(data.get('first_name') or '').strip()}"
    try:
        tip, receipt = submit_tip(
            category=service_code,
            text=data.get("description") or "",
            channel=Channel.OPEN311,
            address=address,
            latitude=lat or None,
            longitude=lng or None,
            identity={"name": name, "phone": data.get("phone") or ""},
            files=request.FILES.getlist("media"),
        )
    except ValidationError as exc:
        return _error(400, _first_error(exc))
    notice = f"举报已收到，编号 {tip.code}。查询码：{receipt}（只显示这一次，请妥善保存，凭此码查询办理进度和答复）。"
    if (data.get("media_url") or "").strip():
        notice += "附件链接未获取，如需提供照片，请通过网上举报页面上传。"
    return _json([{"service_request_id": tip.code, "service_notice": notice, "token": None}])


@public
@require_GET
def request_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not ratelimit.hit(request, ratelimit.LOOKUP):
        return _limited(ratelimit.LOOKUP)
    tip = (
        Tip.objects.unrestricted("Open311 answers a request's public status by its id")
        .filter(code=code[:30])
        .first()
    )
    if tip is None:
        return _error(404, "未找到该举报。")
    view = receipts.public_view(tip)
    answer: dict[str, Any] = {
        "service_request_id": tip.code,
        "status": "open" if view.open else "closed",
        "service_name": view.category,
        "service_code": tip.category,
        "requested_datetime": _iso(tip.received_at),
        "updated_datetime": _iso(view.updated_at),
        "agency_responsible": "屈原管理区安全生产委员会办公室",
        "media_url": None,
    }
    given = receipts.find_by_receipt(request.GET.get("receipt"))
    if given is not None and given.pk == tip.pk:
        notes = [view.status_label]
        notes += [t for t in (view.extension_reason, view.rejection_reason, view.public_feedback) if t]
        answer.update(
            {
                "status_notes": "；".join(notes),
                "address": tip.address,
                "lat": float(tip.latitude) if tip.latitude is not None else None,
                "long": float(tip.longitude) if tip.longitude is not None else None,
            }
        )
    else:
        answer["status_notes"] = str(PublicStatus(view.status).label)
    return _json([answer])
