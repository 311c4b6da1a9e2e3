"""The Idempotency-Key header on POSTs that create or pay."""

import json
from collections.abc import Callable

from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.errors import ValidationFailed
from apps.orders.models import Order
from apps.orders.services.idempotency import (
    Claim,
    StoredResponse,
    idempotency_begin,
    idempotency_complete,
    idempotency_release,
    request_fingerprint,
)

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Location",)
MAX_KEY_LENGTH = 255
# Declaring it on an operation is what makes the schema hook document 409 and 422.
KEY_PARAMETER = OpenApiParameter(
    KEY_HEADER,
    {"type": "string", "maxLength": MAX_KEY_LENGTH},
    OpenApiParameter.HEADER,
    description=(
        "Makes a retry safe: the same key with the same body replays the stored "
        "response; with another body it is refused (422); while the first "
        "request with that key is still running, 409."
    ),
)


def _key_of(request) -> str | None:
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            {KEY_HEADER: [f"Use 1 to {MAX_KEY_LENGTH} printable characters."]}
        )
    return key


def _stored(response: Response) -> StoredResponse:
    body = json.loads(JSONRenderer().render(response.data)) if response.data else None
    headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
    if response.content_type:
        headers["Content-Type"] = response.content_type
    return StoredResponse(status=response.status_code, body=body, headers=headers)


def _replay(stored: StoredResponse, render_again: Callable[[str], Response]):
    if stored.order_id is not None:
        response = render_again(stored.order_id)
        response[REPLAYED_HEADER] = "true"
        return response
    headers = dict(stored.headers)
    content_type = headers.pop("Content-Type", None)
    response = Response(
        stored.body,
        status=stored.status,
        headers={**headers, REPLAYED_HEADER: "true"},
    )
    if content_type:
        response.content_type = content_type
    return response


def run_idempotently(
    view: APIView,
    request,
    *,
    perform: Callable[[Claim | None], Order],
    render: Callable[[Order], Response],
    render_again: Callable[[str], Response],
    owner_id=None,
):
    """Run `perform(claim)` (the service call; it commits, and may note its
    order on the claim in that transaction) once per (user, key), then
    `render` its order; replay the stored answer afterwards.

    A failure before `perform` returned (an error answer, or a crash) committed
    nothing the retry could repeat: a 5xx releases the key, below 500 is
    stored. Once `perform` returned, the key is never released: a failing
    `render` stores a reference to the order, and a retry renders it with
    `render_again(order_id)` instead of placing or paying again. Keys belong
    to the user, or to `owner_id` (a guest's cart or order)."""
    key = _key_of(request)
    if key is None:
        return render(perform(None))
    user_id = owner_id or request.user.pk
    fingerprint = request_fingerprint(
        method=request.method, path=request.path, body=request.data
    )
    claimed = idempotency_begin(user_id=user_id, key=key, fingerprint=fingerprint)
    if isinstance(claimed, StoredResponse):
        return _replay(claimed, render_again)
    try:
        order = perform(claimed)
    except Exception as exc:  # noqa: BLE001 - rendered as the problem it is
        return _finish_failure(view, exc, claimed)
    except BaseException:
        idempotency_release(claim=claimed)
        raise
    reference = StoredResponse(
        status=None, body=None, headers={}, order_id=str(order.pk)
    )
    try:
        response = render(order)
    except BaseException:
        idempotency_complete(claim=claimed, response=reference)
        raise
    stored = reference if response.status_code >= 500 else _stored(response)
    idempotency_complete(claim=claimed, response=stored)
    return response


def _finish_failure(view: APIView, exc: Exception, claim: Claim):
    try:
        response = view.handle_exception(exc)
    except BaseException:
        idempotency_release(claim=claim)
        raise
    if response.status_code >= 500:
        idempotency_release(claim=claim)
    else:
        idempotency_complete(claim=claim, response=_stored(response))
    return response
