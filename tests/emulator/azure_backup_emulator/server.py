"""HTTPS server (werkzeug, threaded) with a throw-away CA, and the files a client needs."""

import json
import logging
import os
import shlex
import ssl
import threading

import trustme
from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_app
from .arm import http_date
from .emulator import Emulator


class _Handler(WSGIRequestHandler):
    """Quiet request handler speaking HTTP/1.1 (keep-alive, as ARM does); a dropped connection (fault
    injection) is closed, not kept alive.

    Date: the app sets it on every response (emulated time, app._finish). http.server's
    send_response would add a second one (real time), so it is only written here when the app did
    not send one (an answer werkzeug makes itself, e.g. to a malformed request line), and then in
    emulated time as well."""

    protocol_version = "HTTP/1.1"
    _needs_date = False

    def version_string(self):
        # The Server header ARM answers with (README §1); sent once, by send_response.
        return "Microsoft-IIS/10.0"

    def send_response(self, code, message=None):
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", self.version_string())
        self._needs_date = True

    def send_header(self, keyword, value):
        if keyword.lower() == "date":
            self._needs_date = False
        super().send_header(keyword, value)

    def end_headers(self):
        if self._needs_date:
            self.send_header("Date", self.date_time_string())
        self._needs_date = False
        super().end_headers()

    def date_time_string(self, timestamp=None):
        emulator = getattr(self.server, "emulator", None)
        if timestamp is None and emulator is not None:
            return http_date(emulator.now())
        return super().date_time_string(timestamp)

    def connection_dropped(self, error, environ=None):
        self.close_connection = True

    def log_request(self, code="-", size="-"):
        # command/path are unset when the request line itself was unreadable (http.server's send_error)
        path = (getattr(self, "path", None) or "-").split("?", maxsplit=1)[0]
        logging.getLogger("azure_backup_emulator.access").debug("%s %s %s", getattr(self, "command", "-"), path, code)


def make_tls(hosts=("127.0.0.1", "localhost")):
    """(CA, server ssl.SSLContext) for ``hosts``."""
    ca = trustme.CA(organization_name="Azure Backup Emulator")
    cert = ca.issue_cert(*hosts)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return ca, context


class EmulatorServer:
    """The emulator listening on host:port (0 = any free port) in a background thread."""

    def __init__(self, host="127.0.0.1", port=0, scenario=None, time_scale=1.0):
        self.emulator = Emulator(scenario=scenario, time_scale=time_scale)
        self.app = create_app(self.emulator)
        self.ca, context = make_tls()
        self.httpd = make_server(host, port, self.app, threaded=True, ssl_context=context, request_handler=_Handler)
        self.httpd.daemon_threads = True
        self.httpd.emulator = self.emulator  # read by _Handler.date_time_string
        self.host = host
        self.port = self.httpd.server_port
        self._thread = None

    @property
    def url(self):
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        return "https://%s:%d" % (host, self.port)

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="azure-backup-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.httpd.serve_forever()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- files for clients -----------------------------------------------------------------

    def environment(self, ca_path):
        scenario = self.emulator.scenario
        return {
            "AZURE_CLOUD_ENVIRONMENT": "%s/metadata/endpoints?api-version=2022-09-01" % self.url,
            "REQUESTS_CA_BUNDLE": ca_path,
            "AZURE_TENANT": scenario["tenant_id"],
            "AZURE_CLIENT_ID": scenario["client_id"],
            "AZURE_SECRET": scenario["client_secret"],
            "AZURE_SUBSCRIPTION_ID": scenario["subscription_id"],
            "AZURE_BACKUP_RESOURCE_GROUP": scenario["vault"]["resource_group"],
            "AZURE_BACKUP_VAULT_NAME": scenario["vault"]["name"],
            "AZURE_BACKUP_EMULATOR_URL": self.url,
        }

    def write_workdir(self, workdir):
        """ca.pem, env.sh, env.json, pid, then url (last, atomically: it means 'ready')."""
        os.makedirs(workdir, exist_ok=True)
        ca_path = os.path.abspath(os.path.join(workdir, "ca.pem"))
        self.ca.cert_pem.write_to_path(ca_path)
        env = self.environment(ca_path)
        _write(os.path.join(workdir, "env.sh"), render_env_sh(env))
        _write(os.path.join(workdir, "env.json"), json.dumps(env, indent=2) + "\n")
        _write(os.path.join(workdir, "pid"), "%d\n" % os.getpid())
        _write(os.path.join(workdir, "url"), self.url + "\n")
        return env


def render_env_sh(env):
    lines = ["# Azure Backup emulator: source this file (. env.sh)"]
    lines += ["export %s=%s" % (key, shlex.quote(value)) for key, value in env.items()]
    return "\n".join(lines) + "\n"


def _write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
