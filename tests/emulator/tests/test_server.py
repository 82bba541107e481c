"""The HTTP server (cheroot): HTTP/1.1 keep-alive over TLS, the connection count in the stats, the fault
action drop on a kept-alive connection, concurrency, headers on every response of a connection."""

import http.client
import json
import socket
import ssl
import threading
import time

import pytest
import requests

from conftest import VAULT

N = 20


def _raw_connection(client):
    context = ssl.create_default_context(cafile=client.ca)
    return http.client.HTTPSConnection("127.0.0.1", client.server.port, context=context, timeout=10)


def _get(conn, path, headers=None):
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    return resp, resp.read()


class Stats:
    """GET /_emulator/stats over one http.client connection of its own, kept alive: counted once, when
    it is opened (by the first read), so the difference of two reads is what happened in between."""

    def __init__(self, client):
        self.conn = _raw_connection(client)

    def connections(self):
        resp, body = _get(self.conn, "/_emulator/stats")
        assert resp.status == 200 and resp.getheader("Connection") is None  # kept alive
        return json.loads(body)["connections"]

    def close(self):
        self.conn.close()


@pytest.fixture
def stats(client):
    reader = Stats(client)
    yield reader
    reader.close()


def test_one_connection_serves_many_requests(client):
    conn = _raw_connection(client)
    try:
        sock = None
        for path, headers in (
            ("/_emulator/time", {}),
            ("%s?api-version=2026-10-01" % VAULT, {"Authorization": "Bearer " + client.get_token()}),
            ("/metadata/endpoints?api-version=2022-09-01", {}),
            ("/no/such/route", {}),
        ) * 3:
            resp, _body = _get(conn, path, headers)
            assert resp.version == 11 and resp.status in (200, 404)
            assert resp.getheader("Connection") is None  # HTTP/1.1: kept alive
            assert len(resp.msg.get_all("Date")) == 1, resp.msg.get_all("Date")
            assert resp.msg.get_all("Server") == ["Microsoft-IIS/10.0"]
            assert sock is None or conn.sock is sock  # http.client reconnects silently: it did not
            sock = conn.sock
    finally:
        conn.close()


def test_stats_count_connections_session_vs_fresh_connections(client, stats):
    before = stats.connections()
    assert stats.connections() == before  # the reader's own connection is kept, not counted again

    session = client.new_session()  # keep-alive: N requests, one connection
    try:
        for dummy in range(N):
            resp = session.get(client.url + "/_emulator/time", timeout=10)
            assert resp.status_code == 200 and "Connection" not in resp.headers
    finally:
        session.close()
    assert stats.connections() == before + 1

    session = client.new_session()  # Connection: close: the server closes after each answer
    try:
        for dummy in range(N):
            resp = session.get(client.url + "/_emulator/time", headers={"Connection": "close"}, timeout=10)
            assert resp.status_code == 200 and resp.headers["Connection"] == "close"
    finally:
        session.close()
    assert stats.connections() == before + 1 + N

    for dummy in range(N):  # a new session each time: a new connection each time
        with client.new_session() as fresh:
            assert fresh.get(client.url + "/_emulator/time", timeout=10).status_code == 200
    assert stats.connections() == before + 1 + 2 * N


def test_reset_clears_the_connection_count(client, stats):
    with client.new_session() as session:
        session.get(client.url + "/_emulator/time", timeout=10)
    assert stats.connections() >= 2
    client.control("POST", "/reset")
    assert stats.connections() == 0  # connections opened before the reset are not counted again
    with client.new_session() as session:
        for dummy in range(3):
            session.get(client.url + "/_emulator/time", timeout=10)
        assert session.get(client.url + "/_emulator/stats", timeout=10).json()["connections"] == 1


def test_drop_closes_a_kept_alive_connection_without_an_answer(client, stats):
    before = stats.connections()
    conn = _raw_connection(client)
    try:
        resp, _body = _get(conn, "/_emulator/time")
        assert resp.status == 200
        client.control("POST", "/faults", {"operation": "Emulator_Time", "action": "drop", "count": 1})
        conn.request("GET", "/_emulator/time")
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            conn.getresponse()
    finally:
        conn.close()
    assert stats.connections() == before + 1
    conn = _raw_connection(client)  # a new connection works (the fault is used up)
    try:
        resp, body = _get(conn, "/_emulator/time")
        assert resp.status == 200 and json.loads(body)["now"]
    finally:
        conn.close()
    assert stats.connections() == before + 2
    log = client.control("GET", "/requests?operation=Emulator_Time")["requests"]
    assert [e["status"] for e in log] == [200, "dropped", 200]


def test_drop_with_requests_session_then_the_session_goes_on(client):
    session = client.new_session()
    try:
        assert session.get(client.url + "/_emulator/time", timeout=10).status_code == 200
        client.control("POST", "/faults", {"operation": "Emulator_Time", "action": "drop", "count": 1})
        with pytest.raises(requests.exceptions.ConnectionError):
            session.get(client.url + "/_emulator/time", timeout=10)
        assert session.get(client.url + "/_emulator/time", timeout=10).status_code == 200
    finally:
        session.close()


def test_requests_are_served_while_one_sleeps_in_a_delay_fault(client):
    client.control("POST", "/faults", {"operation": "Vaults_Get", "action": "delay", "delay_ms": 1500, "count": 1})
    slow = {}
    auth = {"Authorization": "Bearer " + client.get_token()}  # here: client.session is not shared with the thread

    def call():
        with client.new_session() as session:
            started = time.monotonic()
            resp = session.get(
                client.url + VAULT,
                params={"api-version": "2026-10-01"},
                headers=auth,
                timeout=10,
            )
            slow["status"], slow["seconds"] = resp.status_code, time.monotonic() - started

    thread = threading.Thread(target=call)
    thread.start()
    try:
        time.sleep(0.2)  # the delayed request is in the server now
        started = time.monotonic()
        for dummy in range(10):
            assert client.control("GET", "/time")["now"]
        assert time.monotonic() - started < 1.0 and thread.is_alive()
    finally:
        thread.join(10)
    assert slow["status"] == 200 and slow["seconds"] >= 1.5


def test_a_silent_client_does_not_hold_up_the_others(client):
    """The TLS handshake happens in a worker, not in the thread that accepts connections."""
    with socket.create_connection(("127.0.0.1", client.server.port), timeout=10):  # connects, says nothing
        started = time.monotonic()
        with client.new_session() as session:
            assert session.get(client.url + "/_emulator/time", timeout=10).status_code == 200
        assert time.monotonic() - started < 2


def test_port_zero_is_bound_at_construction(server):
    assert server.port > 0
    assert server.url == "https://127.0.0.1:%d" % server.port
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass
