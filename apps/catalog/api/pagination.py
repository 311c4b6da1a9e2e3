"""Page-number pagination of the product listing without counting.

DRF's PageNumberPagination runs `COUNT(*)` over the whole filtered result on
every page, which on a large catalog costs more than the page itself. This one
fetches one row more than the page to know whether a next page exists: one
query per page, whatever the page size or depth. There is no `count`.
"""

from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.common.pagination import PageNumberPagination, positive_int_parameter

FACETS_EXAMPLE = {
    "category": [{"value": "clothing", "count": 12}, {"value": None, "count": 1}],
    "price": [
        {"min": "0", "max": "25", "count": 9},
        {"min": "25", "max": None, "count": 4},
    ],
    "option": [{"name": "size", "value": "M", "count": 10}],
    "in_stock": [{"value": True, "count": 11}, {"value": False, "count": 2}],
}


class LeanPageNumberPagination(PageNumberPagination):
    max_page = 1_000_000  # past it an OFFSET could overflow the database's integer

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        self.number = positive_int_parameter(
            request=request, name=self.page_query_param, default=1
        )
        if self.number > self.max_page:
            raise NotFound("Invalid page.")
        offset = (self.number - 1) * page_size
        rows = list(queryset[offset : offset + page_size + 1])
        if self.number > 1 and not rows:
            raise NotFound("Invalid page.")
        self.has_next = len(rows) > page_size
        return rows[:page_size]

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        next_page = "http://127.0.0.1:8000/api/v1/catalog/products/?page=2"
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {**link, "example": next_page},
                "previous": {**link, "example": None},
                "results": schema,
                "facets": {
                    "type": "object",
                    "description": "Only with facets=1.",
                    "example": FACETS_EXAMPLE,
                },
            },
        }
