"""API pagination (its own module: DRF imports it while importing viewsets)."""

from typing import Any

from rest_framework import pagination


class Pagination(pagination.PageNumberPagination):
    """`?page=N` from 1 (a page past the end is a 404, as documented); `?page_size=` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
