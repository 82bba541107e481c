"""The live view at the base URL: one self-contained HTML page for browsers, its JSON feed, and the page itself
in headless Chromium while a backup runs (the job shows InProgress, then Completed once the emulated clock moved)."""

import html.parser
import os
import re
import subprocess

import pytest

from conftest import SUB

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CHROMIUM_SH = os.path.join(ROOT, "tests", "utils", "chromium.sh")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_root_for_other_clients_is_unchanged(client):
    for accept in (None, "*/*", "application/json"):
        headers = {"Accept": accept} if accept else {}
        resp = client.session.get(client.url + "/", headers=headers, timeout=10)
        assert resp.status_code == 404
        assert resp.json()["error"]["code"] == "NotFound"


def test_root_for_a_browser_is_one_self_contained_page(client):
    resp = client.session.get(client.url + "/", headers={"Accept": BROWSER_ACCEPT}, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    page = resp.text
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "<script>" in page
    assert "/_emulator/view.json" in page
    # nothing external: no src/href attributes, no URL of another origin
    assert not re.search(r"""\b(src|href)\s*=""", page)
    assert not re.search(r"https?://", page)
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]


def test_view_json_and_it_is_not_logged(client):
    client.control("GET", "/stats")
    before = client.control("GET", "/stats")["total"]
    view = client.control("GET", "/view.json")
    client.session.get(client.url + "/", headers={"Accept": BROWSER_ACCEPT}, timeout=10)
    assert client.control("GET", "/stats")["total"] == before + 1  # only this /stats call
    assert view["vault"]["name"] == "rsv-demo"
    assert {i["vm"] for i in view["items"]} >= {"vm-web-01", "vm-fail-01"}
    assert view["jobs"] and all(
        set(j) >= {"job_id", "vm", "operation", "status", "start", "tasks"} for j in view["jobs"]
    )
    assert view["resources"] == []
    backup = next(j for j in view["jobs"] if j["operation"] == "Backup" and j["status"] == "Completed")
    assert [t["task_id"] for t in backup["tasks"]] == ["Take Snapshot", "Transfer data to vault"]
    assert [t["progress"] for t in backup["tasks"]] == [100.0, 100.0]


def _chromium():
    """The browser tests/utils/chromium.sh names (it installs Debian's chromium when there is none). No browser is
    a failure, not a skip: the live view is product."""
    try:
        done = subprocess.run(["bash", CHROMIUM_SH], capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.fail("tests/utils/chromium.sh could not run: %s" % exc)
    path = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0 or not path or not os.access(path, os.X_OK):
        pytest.fail("no Chromium: tests/utils/chromium.sh exited %d: %s" % (done.returncode, done.stderr.strip()))
    return path


def _dump_dom(browser, url, profile):
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--ignore-certificate-errors",
            "--no-first-run",
            "--disable-extensions",
            "--user-data-dir=%s" % profile,
            "--virtual-time-budget=5000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class _Rows(html.parser.HTMLParser):
    """data-* attributes of the job rows and of their task items in a dumped DOM."""

    def __init__(self):
        super().__init__()
        self.jobs = {}
        self.tasks = {}
        self.now = None
        self._job = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.now = attrs.get("data-now")
        if tag == "tr" and "data-job-id" in attrs:
            self._job = attrs["data-job-id"]
            self.jobs[self._job] = attrs
            self.tasks[self._job] = []
        elif tag == "li" and "data-task-id" in attrs and self._job:
            self.tasks[self._job].append(attrs)


def _rows(dom):
    parser = _Rows()
    parser.feed(dom)
    return parser


def test_live_view_in_headless_chromium_follows_a_backup(client, tmp_path):
    browser = _chromium()
    resp = client.trigger("vm-web-01")
    assert resp.status_code == 202
    job_id = client.job_id_of(resp)

    first = _rows(_dump_dom(browser, client.url + "/", tmp_path / "profile-1"))
    assert first.now, "the page did not render the feed (no data-now on <body>)"
    assert job_id in first.jobs, sorted(first.jobs)
    row = first.jobs[job_id]
    assert row["data-status"] == "InProgress" and row["data-operation"] == "Backup" and row["data-vm"] == "vm-web-01"
    tasks = first.tasks[job_id]
    assert [t["data-task-id"] for t in tasks] == ["Take Snapshot", "Transfer data to vault"]
    assert tasks[0]["data-status"] == "InProgress" and 0 <= float(tasks[0]["data-progress"]) < 100
    assert tasks[1]["data-status"] == "NotStarted"

    client.advance(1800)  # a backup takes ~20 minutes
    second = _rows(_dump_dom(browser, client.url + "/", tmp_path / "profile-2"))
    assert second.jobs[job_id]["data-status"] == "Completed"
    assert [t["data-status"] for t in second.tasks[job_id]] == ["Completed", "Completed"]
    assert second.now > first.now


def test_live_view_shows_restored_resources(client, tmp_path):
    from test_restored_resources import _alternate

    job_id, _bag = _alternate(client)
    dom = _dump_dom(_chromium(), client.url + "/", tmp_path / "profile")
    vm_id = (
        "/subscriptions/%s/resourceGroups/rg-drill/providers/Microsoft.Compute/virtualMachines/vm-web-02-drill" % SUB
    )
    assert 'data-id="%s"' % vm_id in dom
    assert _rows(dom).jobs[job_id]["data-status"] == "Completed"
