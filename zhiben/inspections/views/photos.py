"""The one way out for photos of inspections and self-inspections (检查照片); the way in is `services/photos.py`."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.views import View

from zhiben.core import audit
from zhiben.core.views import ScopedViewMixin

from .. import events
from ..models import InspectionPhoto
from ..services import photos


class PhotoView(ScopedViewMixin, View):
    """A photo, read only through here: scoped like its unit (404 outside), audited, never run by the browser."""

    model = InspectionPhoto

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        self.check_action(request)
        photo = get_object_or_404(InspectionPhoto.objects.restrict(request.user), pk=pk)
        audit.record(
            photo,
            events.INSPECTION_PHOTO_VIEWED,
            actor=request.user,
            data={"inspection": photo.inspection_id, "self_check": photo.self_check_id},
        )
        name = photos.download_name(photo)
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type, filename=name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        response["Cache-Control"] = "private, max-age=3600"
        return response
