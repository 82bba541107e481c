"""HTTPS server (cheroot: a pool of worker threads, HTTP/1.1 keep-alive) with a throw-away CA, and the
files a client needs.

One TLS connection serves many requests, as Azure Resource Manager's does: a connection stays open
after a response (unless the client sends ``Connection: close``) and is closed after IDLE_TIMEOUT
seconds without a request. Every accepted TCP connection is counted (``connections`` in the stats)."""

import json
import logging
import os
import shlex
import ssl
import threading

import trustme
from cheroot import errors as cheroot_errors
from cheroot import server as cheroot_server
from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

from .app import DropConnection, create_app
from .arm import http_date
from .emulator import Emulator

SERVER_NAME = "Microsoft-IIS/10.0"  # the Server header ARM answers with (README §1)
WORKER_THREADS = 32  # requests served at the same time (an idle keep-alive connection holds none)
IDLE_TIMEOUT = 240  # seconds an idle keep-alive connection (or a stalled request) is kept; Azure's LB: 4 min
HANDSHAKE_TIMEOUT = 10  # seconds for a client's TLS handshake
KEEP_ALIVE_LIMIT = 256  # idle keep-alive connections kept open; beyond, a response says Connection: close
FEDERATED_TOKEN_FILE_LIFETIME = 86400  # seconds DIR/federated-token is valid (a cluster would rotate it hourly)
SHUTDOWN_TIMEOUT = 1  # stop(): seconds a busy worker gets, then its socket is shut (a silent client's handshake)

_log = logging.getLogger("azure_backup_emulator.server")
_access = logging.getLogger("azure_backup_emulator.access")


class _Request(cheroot_server.HTTPRequest):
    """An answer cheroot makes itself (malformed request line: 400, timeout: 408, an app that failed
    before it answered: 500, ...) never reaches the app: it gets the Server header and the emulated
    Date here. Every other response gets both from the app (Date, app._finish) and from cheroot
    (Server, added once by send_headers since the app does not set it; cheroot adds a Date only when
    the response has none, which never happens)."""

    def simple_response(self, status, msg=""):
        status = str(status)
        if isinstance(msg, str):
            msg = msg.encode("ISO-8859-1")
        lines = [
            "%s %s" % (self.server.protocol, status),
            "Content-Length: %d" % len(msg),
            "Content-Type: text/plain",
            "Date: %s" % self.server.date(),
            "Server: %s" % self.server.server_name,
        ]
        if status[:3] in ("413", "414"):  # as cheroot: the rest of the request is not read
            self.close_connection = True
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("ISO-8859-1")
        _access.debug("%s %s %s", _text(getattr(self, "method", None)), _text(getattr(self, "path", None)), status[:3])
        try:
            self.conn.wfile.write(head + msg)
        except OSError as exc:
            if exc.args[0] not in cheroot_errors.socket_errors_to_ignore:
                raise


class _Connection(cheroot_server.HTTPConnection):
    """A connection whose TLS handshake happens in the worker thread that serves its first request
    (see _TLSAdapter): a client that connects and stays silent holds one worker for
    HANDSHAKE_TIMEOUT, never the accepting thread (and so every other client)."""

    RequestHandlerClass = _Request
    _handshake_done = False

    def communicate(self):
        if not self._handshake_done:
            self._handshake_done = True
            try:
                self.socket.settimeout(HANDSHAKE_TIMEOUT)
                self.socket.do_handshake()
                self.socket.settimeout(self.server.timeout)
            except OSError as exc:  # ssl.SSLError (e.g. plain HTTP), a reset, a timeout
                self.server.error_log("TLS handshake with %s:%s failed: %s" % (self.remote_addr, self.remote_port, exc))
                return False
            self.ssl_env = self.server.ssl_adapter.get_environ(self.socket)
        return super().communicate()


class _Gateway(wsgi.Gateway_10):
    """cheroot's WSGI 1.0 gateway, plus the fault action ``drop``: the app's body raises DropConnection
    before its first chunk (app._DropIterator), and the connection is closed without an answer (cheroot
    itself would send the status line and headers it has been given, then close)."""

    def respond(self):
        req = self.req
        status = None
        response = req.server.wsgi_app(self.env, self.start_response)
        try:
            for chunk in filter(None, response):
                if not isinstance(chunk, bytes):
                    raise ValueError("WSGI Applications must yield bytes")
                self.write(chunk)
        except DropConnection:
            req.ready = False  # HTTPRequest.respond must not send the headers either
            req.close_connection = True  # HTTPConnection.communicate: close, do not keep alive
            status = "dropped"
        finally:
            if req.ready:
                req.ensure_headers_sent()
            if hasattr(response, "close"):
                response.close()
        _access.debug("%s %s %s", _text(req.method), self.env.get("PATH_INFO", "-"), status or _text(req.status)[:3])


class _TLSAdapter(BuiltinSSLAdapter):
    """cheroot's ssl-module adapter, with two changes to ``wrap``, which cheroot calls in its accepting
    thread once for every TCP connection the server accepts: it counts the connection (``on_accept``),
    and it leaves the TLS handshake to the worker thread (_Connection.communicate); the WSGI environ
    entries (wsgi.url_scheme https, HTTPS, SSL_*) are made there, once the handshake is done."""

    on_accept = None

    def wrap(self, sock):
        if self.on_accept is not None:
            self.on_accept()
        try:
            return self.context.wrap_socket(sock, do_handshake_on_connect=False, server_side=True), {}
        except OSError as exc:  # the client is gone already
            raise cheroot_errors.FatalSSLAlert(*exc.args) from exc


class _Server(wsgi.Server):
    ConnectionClass = _Connection
    keep_alive_conn_limit = KEEP_ALIVE_LIMIT

    def __init__(self, bind_addr, app, emulator, ssl_adapter):
        super().__init__(
            bind_addr,
            app,
            numthreads=WORKER_THREADS,
            server_name=SERVER_NAME,
            timeout=IDLE_TIMEOUT,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
        )
        self.gateway = _Gateway
        self.ssl_adapter = ssl_adapter
        self.emulator = emulator

    def date(self):
        """The emulated time as a Date header value (for the answers cheroot makes itself)."""
        return http_date(self.emulator.now())

    def error_log(self, msg="", level=logging.INFO, traceback=False):
        # cheroot writes these to stderr; here they go to logging (a client that went away: INFO)
        _log.log(level, "%s", msg, exc_info=traceback)


def _text(value):
    if value is None:
        return "-"
    return value.decode("ISO-8859-1") if isinstance(value, bytes) else str(value)


def _issue(hosts):
    ca = trustme.CA(organization_name="Azure Backup Emulator")
    cert = ca.issue_cert(*hosts)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return ca, cert, context


def _tls_adapter(cert, context, on_accept):
    # BuiltinSSLAdapter reads the key and certificate from files (for its SSL_SERVER_* environ); the
    # files are only needed while it is built, then the context made from the trustme cert is used.
    with cert.private_key_and_cert_chain_pem.tempfile() as pem:
        adapter = _TLSAdapter(pem, pem)
    adapter.context = context
    adapter.on_accept = on_accept
    return adapter


class EmulatorServer:
    """The emulator listening on host:port (0 = any free port; bound when this is built, so ``.port``
    is the real one) in a background thread (``start``) or in this one (``serve_forever``)."""

    def __init__(self, host="127.0.0.1", port=0, scenario=None, time_scale=1.0):
        self.emulator = Emulator(scenario=scenario, time_scale=time_scale)
        self.app = create_app(self.emulator)
        self.ca, cert, context = _issue(("127.0.0.1", "localhost"))
        adapter = _tls_adapter(cert, context, self._connection_accepted)
        self.httpd = _Server((host, port), self.app, self.emulator, adapter)
        _prepare(self.httpd)  # bind + listen + worker threads
        self.host = host
        self.port = self.httpd.bind_addr[1]
        self._thread = None

    def _connection_accepted(self):
        self.emulator.log.connection_accepted()

    @property
    def url(self):
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        return "https://%s:%d" % (host, self.port)

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self.httpd.serve, name="azure-backup-emulator", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self):
        """Serve until ``stop`` (another thread) or KeyboardInterrupt (a signal handler may raise it:
        it interrupts the wait here, never cheroot's loop in the middle of a connection)."""
        self.start()
        while self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self):
        self.httpd.stop()  # closes the listening socket and every connection; joins the workers
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- files for clients -----------------------------------------------------------------

    def environment(self, ca_path, client_certificate_path=None, federated_token_path=None):
        scenario = self.emulator.scenario
        tokens = self.emulator.tokens
        env = {
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
        # Other credential kinds: names of the emulator's own, so nothing changes for a client that
        # reads AZURE_CLIENT_CERTIFICATE_PATH / AZURE_FEDERATED_TOKEN_FILE / AZURE_AD_USER itself.
        if client_certificate_path:
            env["AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE"] = client_certificate_path
        env["AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE_THUMBPRINT"] = tokens.client_certificate.thumbprint
        user = tokens.sign_in_user
        if user is not None:
            env["AZURE_BACKUP_EMULATOR_AD_USER"] = user["username"]
            env["AZURE_BACKUP_EMULATOR_PASSWORD"] = user["password"]
        if federated_token_path:
            env["AZURE_BACKUP_EMULATOR_FEDERATED_TOKEN_FILE"] = federated_token_path
        env["AZURE_BACKUP_EMULATOR_IMDS_HOST"] = self.url  # the value for AZURE_POD_IDENTITY_AUTHORITY_HOST
        if tokens.user_identities:
            env["AZURE_BACKUP_EMULATOR_MANAGED_IDENTITY_CLIENT_ID"] = tokens.user_identities[0]["client_id"]
        return env

    def write_workdir(self, workdir):
        """ca.pem, client-cert.pem (when the emulator generated the certificate), federated-token,
        env.sh, env.json, pid, then url (last, atomically: it means 'ready')."""
        os.makedirs(workdir, exist_ok=True)
        ca_path = os.path.abspath(os.path.join(workdir, "ca.pem"))
        self.ca.cert_pem.write_to_path(ca_path)
        tokens = self.emulator.tokens
        cert_path = None
        bundle = tokens.client_certificate.bundle_pem
        if bundle is not None:
            cert_path = os.path.abspath(os.path.join(workdir, "client-cert.pem"))
            _write(cert_path, bundle, private=True)
        token_path = os.path.abspath(os.path.join(workdir, "federated-token"))
        token, _claims = tokens.federated_token(self.url, expires_in=FEDERATED_TOKEN_FILE_LIFETIME)
        _write(token_path, token, private=True)
        env = self.environment(ca_path, cert_path, token_path)
        _write(os.path.join(workdir, "env.sh"), render_env_sh(env))
        _write(os.path.join(workdir, "env.json"), json.dumps(env, indent=2) + "\n")
        _write(os.path.join(workdir, "pid"), "%d\n" % os.getpid())
        _write(os.path.join(workdir, "url"), self.url + "\n")
        return env


def _prepare(httpd):
    """httpd.prepare() in a daemon thread: the worker threads it starts inherit daemon=True, so a
    process that never calls stop() can still exit (as with the old werkzeug server)."""
    failure = []

    def run():
        try:
            httpd.prepare()
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="azure-backup-emulator-prepare", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def render_env_sh(env):
    lines = ["# Azure Backup emulator: source this file (. env.sh)"]
    lines += ["export %s=%s" % (key, shlex.quote(value)) for key, value in env.items()]
    return "\n".join(lines) + "\n"


def _write(path, text, private=False):
    """Write atomically; ``private``: mode 0600 (a private key, a token)."""
    tmp = path + ".tmp"
    if private:
        try:
            os.remove(tmp)
        except FileNotFoundError:
            pass
        handle = os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8")
    else:
        handle = open(tmp, "w", encoding="utf-8")
    with handle:
        handle.write(text)
    os.replace(tmp, path)
