"""Page-number pagination: DRF's own, with strict parameters and a Link header."""

from django.core.paginator import InvalidPage, Page
from django.db.models import Count, Window
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
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


class PageNumberWithCount(PageNumberPagination):
    """`?page=` (from 1) and `?page_size=` (default 20, at most 100); a value out of bounds answers
    400 naming it, a page past the last 404 naming the last. The body carries `count`, `next` and
    `previous`; the `Link` header the same links plus first and last. Two queries: the count and
    the page's rows; one, when the view knows the count (see `known_count`) or has it read with
    the rows (see `counted_with_rows`)."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return _whole_number(request, self.page_size_query_param, self.page_size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.number = _whole_number(request, self.page_query_param, 1, MAX_PAGE)
        self.size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, self.size)
        known = getattr(view, "known_count", None)
        counted_with_rows = getattr(view, "counted_with_rows", None)
        if known is not None and (count := known(request)) is not None:
            paginator.count = count  # the view knows it without counting the rows
        elif counted_with_rows is not None and counted_with_rows(request):
            rows = self._rows_with_count(queryset, paginator)
            if rows is not None:
                return rows
        try:
            self.page = paginator.page(self.number)
        except InvalidPage:
            raise NotFound(
                f"Page {self.number} does not exist: the last page is {self._last(paginator.count)}."
            ) from None
        self.count = paginator.count
        return list(self.page)

    def _rows_with_count(self, queryset, paginator):
        """The page's rows for a view whose query visits every row anyway (a ranked search sorts
        every match): first the page's ids, in order, each with the number of all the rows
        (COUNT(*) OVER ()), from a query that carries nothing else through the sort; then those
        rows. None when the page has no rows and is not the first: past the end, counted apart
        then."""
        start = (self.number - 1) * self.size
        ranked = queryset.annotate(rows_in_all=Window(Count("*"))).values_list("pk", "rows_in_all")
        found = list(ranked[start : start + self.size])
        if not found and self.number > 1:
            return None
        paginator.count = found[0][1] if found else 0
        by_id = queryset.order_by().filter(pk__in=[pk for pk, _ in found]).in_bulk() if found else {}
        rows = [by_id[pk] for pk, _ in found if pk in by_id]
        self.page = Page(rows, self.number, paginator)
        self.count = paginator.count
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
