"""The serializing HTTP transport of interface tests: requests' sessions of
apps.common.remote send through Django's test client, so a call is encoded,
signed, routed through /internal/ and decoded in this process and transaction."""

import http.server
import threading
import urllib.parse

import requests
from django.test import Client
from requests.structures import CaseInsensitiveDict

TEST_SERVER = "http://testserver"


class DjangoTestClientAdapter(requests.adapters.BaseAdapter):
    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        answer = Client(raise_request_exception=False).generic(
            request.method,
            urllib.parse.urlsplit(request.url).path,
            data=request.body or b"",
            content_type=request.headers.get("Content-Type", ""),
            headers=dict(request.headers),
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content  # what requests' own adapter fills
        response.url, response.request = request.url, request
        return response

    def close(self) -> None:
        pass


class StubService:
    """A deployable on 127.0.0.1:`port` that fails every call it receives:
    `silent` holds the connection without answering (a read timeout), otherwise
    it answers 503. `calls` counts what reached it."""

    def __init__(self, *, port: int, silent: bool):
        self.calls = 0
        self._released = threading.Event()
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                stub.calls += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if silent:
                    stub._released.wait(10)
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass  # quiet test output

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
