"""The API's page-number pagination; a paging parameter that is not a whole
number from 1 up is a 400 naming it, never silently the default."""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination as _PageNumberPagination

# ASCII digits only, and short: int() of a 5,000-digit string raises.
_POSITIVE_INT = re.compile(r"[1-9][0-9]{0,8}")


def positive_int_parameter(*, request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not _POSITIVE_INT.fullmatch(raw):
        raise ValidationError({name: ["Enter a whole number from 1 to 999999999."]})
    return int(raw)


class PageNumberPagination(_PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int:
        size = positive_int_parameter(
            request=request, name=self.page_size_query_param, default=self.page_size
        )
        return min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        # No `page=last`: the schema documents `page` as an integer.
        return positive_int_parameter(
            request=request, name=self.page_query_param, default=1
        )
