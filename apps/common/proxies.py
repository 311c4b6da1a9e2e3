"""Who the client is when proxies stand in front of the app.

TRUSTED_PROXIES lists the networks of those proxies (the ingress, the
gateway). Only a peer in one of them may speak for the client: its
X-Forwarded-For names the client (the rightmost hop that is not itself a
trusted proxy, since a client can put anything at the left), and its
X-Forwarded-Proto the scheme. From any other peer both headers are ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request) -> str:
    """The address the per-client limits count."""
    peer = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted(peer):
        return peer
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _is_trusted(hop):
            return hop
    return peer


class TrustedProxyMiddleware:
    """Drops X-Forwarded-Proto from peers that are not trusted proxies, so
    SECURE_PROXY_SSL_HEADER (HTTPS redirects, HSTS) believes proxies only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_trusted(request.META.get("REMOTE_ADDR", "")):
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)
