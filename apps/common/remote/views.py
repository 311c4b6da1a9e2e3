"""The serving side of interface calls: /internal/v1/<app>/<function>/ runs
the function here and answers its JSON result, or the public exception it
raised. A plain Django view: no session, no JWT, no CSRF and no OpenAPI entry;
service credentials only."""

import json
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.common.errors import ContractMismatch, problem
from apps.common.remote import codec, registered, signing, wire

logger = logging.getLogger(__name__)
ANSWERED_WITH_EXCEPTION = 400


@csrf_exempt
@require_POST
def interface_call(request: HttpRequest, *, app: str, name: str) -> JsonResponse:
    try:
        signing.verify(
            method=request.method,
            path=request.path,
            body=request.body,
            headers=request.headers,
        )
    except signing.CredentialsRefused as exc:
        logger.warning("internal call refused: %s", exc)
        return _problem(403, code="service_credentials_refused", detail=str(exc))
    target = registered(app=app, name=name)
    if target is None:
        return _problem(404, code="not_found", detail=f"No function {app}.{name}.")
    where = f"{app}.{name}"
    try:
        kwargs = codec.decode_kwargs(_json(request.body), target.body, where=where)
        result = target.body(**kwargs)
    except Exception as exc:
        cls = wire.public_class(exc, app=app)
        if cls is None:
            raise  # a fault here: Django's 500, a 5xx the caller retries or reports
        return JsonResponse(
            wire.exception_body(exc, cls), status=ANSWERED_WITH_EXCEPTION
        )
    return JsonResponse({"result": codec.encode(result)})


def _json(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        raise ContractMismatch("The body is not JSON.") from None


def _problem(status: int, *, code: str, detail: str) -> JsonResponse:
    body = problem(status, title="Internal call refused", detail=detail, code=code)
    return JsonResponse(body, status=status, content_type="application/problem+json")
