"""The OpenAPI document's view (the schema itself is described in schema.py)."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class CachedSchemaView(SpectacularAPIView):
    """/api/schema/: the OpenAPI document, generated once per process and language. It describes the code, not
    data, and is public (SERVE_PUBLIC), so every caller gets the same document; generating it takes about a
    second, which a crawl or a scraper would otherwise pay on every request."""

    _documents: ClassVar[dict[tuple[Any, ...], dict[str, Any]]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def _get_schema_response(self, request: Any) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language(), self.serve_public, repr(self.custom_settings))
        with self._lock:
            document = self._documents.get(key)
            if document is None:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                document = generator.get_schema(request=request, public=self.serve_public)
                self._documents[key] = document
        filename = self._get_filename(request, version)
        return Response(data=document, headers={"Content-Disposition": f'inline; filename="{filename}"'})
