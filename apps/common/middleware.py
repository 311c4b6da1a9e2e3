import re

from apps.common import context

REQUEST_ID_HEADER = "X-Request-ID"
# Accept a caller's id only if it is short and plain, so it is safe in logs.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class CorrelationIdMiddleware:
    """Takes X-Request-ID (or makes one), returns it, and makes it the
    correlation id of everything the request does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SAFE_ID.match(incoming) else context.new_id()
        request.request_id = request_id
        with context.flow(correlation=request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
