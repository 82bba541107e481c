"""Request statistics and log for the control API (never secrets or tokens)."""

import collections
import threading
from datetime import datetime, timezone

MAX_LOG = 20000


class RequestLog:
    def __init__(self):
        self._lock = threading.Lock()
        self.clear()

    def clear(self):
        with getattr(self, "_lock", threading.Lock()):
            self._seq = 0
            self._entries = collections.deque(maxlen=MAX_LOG)
            self._total = 0
            self._tokens = 0
            self._connections = 0
            self._ops = {}

    def connection_accepted(self):
        """A TCP connection was accepted (server._TLSAdapter.wrap): with keep-alive, one serves many requests."""
        with self._lock:
            self._connections += 1

    def record(
        self,
        method,
        path,
        query,
        operation,
        status,
        client_request_id,
        request_id,
        emulated_time,
        fault_id=None,
        duration_ms=None,
        credential=None,
    ):
        with self._lock:
            self._seq += 1
            self._total += 1
            if operation in ("Token", "TokenV1", "ImdsToken"):
                self._tokens += 1
            op = self._ops.setdefault(operation, {"count": 0, "statuses": {}})
            op["count"] += 1
            key = str(status)
            op["statuses"][key] = op["statuses"].get(key, 0) + 1
            entry = {
                "seq": self._seq,
                "time": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
                "emulated_time": emulated_time,
                "method": method,
                "path": path,
                "query": query,
                "operation": operation,
                "status": status,
                "client_request_id": client_request_id,
                "request_id": request_id,
                "fault": fault_id,
                "duration_ms": duration_ms,
                # ARM requests: the kind of credential the token was issued for (client_secret, certificate,
                # federated_credential, password, managed_identity); never the token or the secret
                "credential": credential,
            }
            self._entries.append(entry)
            return entry

    def stats(self):
        with self._lock:
            return {
                "total": self._total,
                "token_requests": self._tokens,
                "connections": self._connections,
                "operations": {
                    name: {"count": v["count"], "statuses": dict(v["statuses"])}
                    for name, v in sorted(self._ops.items())
                },
            }

    def entries(self, since=0, operation=None, method=None):
        with self._lock:
            items = [e for e in self._entries if e["seq"] > since]
        if operation:
            items = [e for e in items if e["operation"].lower() == operation.lower()]
        if method:
            items = [e for e in items if e["method"].upper() == method.upper()]
        return items
