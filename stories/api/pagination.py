"""Page-number pagination whose total count rides along with the page's rows in one query."""

from django.db.models import Count, Window
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


def _whole_number(request, name, default, maximum):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= maximum:
        raise ValidationError({name: [f"Give a whole number from 1 to {maximum}, not {raw[:40]!r}."]})
    return value


class PageNumberWithCount(BasePagination):
    """`?page=` (from 1) and `?page_size=` (default 20, at most 100). The body carries `count`,
    `next` and `previous`; the `Link` header carries the same links plus first and last.

    The count is a window function (COUNT(*) OVER ()) on the page's own query, so a list costs
    no separate COUNT query. Querysets paginated this way must not use DISTINCT."""

    page_query_param = "page"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.number = _whole_number(request, self.page_query_param, 1, MAX_PAGE)
        self.size = _whole_number(request, self.page_size_query_param, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        offset = (self.number - 1) * self.size
        rows = list(queryset.annotate(total_rows=Window(Count("pk")))[offset : offset + self.size])
        if rows:
            self.count = rows[0].total_rows
        elif self.number == 1:
            self.count = 0
        else:
            count = queryset.count()
            raise NotFound(f"Page {self.number} does not exist: the last page is {self._last(count)}.")
        return rows

    def _last(self, count):
        return max(1, -(-count // self.size))

    def _link(self, number):
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data):
        last = self._last(self.count)
        next_url = self._link(self.number + 1) if self.number < last else None
        previous_url = self._link(self.number - 1) if self.number > 1 else None
        links = [(self._link(1), "first"), (self._link(last), "last")]
        links += [(next_url, "next"), (previous_url, "prev")]
        header = ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links if url)
        body = {"count": self.count, "next": next_url, "previous": previous_url, "results": data}
        return Response(body, headers={"Link": header})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 42, "description": "Rows matching the filters."},
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        def parameter(name, maximum, description):
            schema = {"type": "integer", "minimum": 1, "maximum": maximum}
            return {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": schema,
            }

        return [
            parameter(self.page_query_param, MAX_PAGE, "Page number, from 1."),
            parameter(
                self.page_size_query_param,
                MAX_PAGE_SIZE,
                f"Rows per page: {DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE}.",
            ),
        ]
