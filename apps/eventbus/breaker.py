"""A short-lived "broker unavailable" switch for the publishing process.

After one failed hand-over the process stops trying the broker for a few
seconds: later requests leave their rows to the relay at once instead of each
paying the connect time-out. The relay ignores it (it is the probe).
"""

import threading
import time


class BrokerBreaker:
    def __init__(self) -> None:
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allows(self) -> bool:
        return time.monotonic() >= self._open_until

    def trip(self, seconds: float) -> None:
        with self._lock:
            self._open_until = time.monotonic() + seconds

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0


broker_breaker = BrokerBreaker()
