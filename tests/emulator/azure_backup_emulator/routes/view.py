"""The live view: GET / from a browser serves one self-contained HTML page (inline CSS and JS, nothing external)
that polls GET /_emulator/view.json every second and shows the vault's protected items, the running and recent
jobs with their tasks, and what restores created. Neither route is logged or counted in the stats, so watching
a runbook does not change what it sees in /_emulator/requests or /_emulator/stats.

Any other client of GET / (curl, requests, azure-core: no text/html in Accept) gets what it always got: the
404 JSON error of an unknown route."""

from flask import Response, request
from werkzeug.exceptions import NotFound

from .. import resources
from ..jobs import TERMINAL
from ..timefmt import iso
from .common import emu, json_response

QUIET_OPERATIONS = ("Emulator_View", "Emulator_View_Data")
RECENT_JOBS = 15  # ended jobs shown besides the running ones (newest first)


def register(app):
    app.add_url_rule("/", endpoint="Emulator_View", view_func=page, methods=["GET"])
    app.add_url_rule("/_emulator/view.json", endpoint="Emulator_View_Data", view_func=data, methods=["GET"])


def wants_html():
    """A browser's navigation: text/html named in Accept (a bare */* is not enough)."""
    return any(
        value.lower() in ("text/html", "application/xhtml+xml") and q > 0 for value, q in request.accept_mimetypes
    )


def page():
    if not wants_html():
        raise NotFound()
    resp = Response(PAGE, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'"
    )
    return resp


def _seconds(a, b):
    return round((b - a).total_seconds(), 3) if a is not None and b is not None else None


def _job_entry(job, now):
    status = job.status(now)
    end = job.planned_end() if status in TERMINAL else None
    tasks = []
    for index, (task, begin, finish) in enumerate(job._task_windows()):
        if task.hidden:
            continue
        task_status, started, ended, progress = job._task_state(index, begin, finish, now)
        if task_status == "Completed":
            progress = 100.0
        tasks.append(
            {
                "task_id": task.task_id,
                "status": task_status,
                "progress": progress if progress is not None else (0.0 if task_status == "NotStarted" else None),
                "start": iso(started),
                "end": iso(ended),
                "duration_seconds": _seconds(started, ended or now) if started is not None else 0.0,
            }
        )
    progress = None
    if status not in TERMINAL:
        progress = job.progress(now)[0]
    elif status in ("Completed", "CompletedWithWarnings"):
        progress = 100.0
    return {
        "job_id": job.job_id,
        "vm": job.entity_friendly_name,
        "operation": job.operation,
        "status": status,
        "start": iso(job.start),
        "end": iso(end),
        "duration_seconds": _seconds(job.start, end or now),
        "progress": progress,
        "user_triggered": job.is_user_triggered,
        "error": job.dynamic_error_message if status == "Failed" else None,
        "tasks": tasks,
    }


def snapshot(e):
    """What the page shows, at the emulated now (call under the emulator's lock)."""
    now = e.settled_now()
    state = e.state
    items = [
        {
            "vm": i.vm.name,
            "resource_group": i.vm.resource_group,
            "policy": i.policy_name,
            "protection_state": i.protection_state,
            "health_status": i.health_status,
            "last_backup_status": i.last_backup_status,
            "last_backup_time": iso(i.last_backup_time),
            "last_recovery_point": iso(i.last_recovery_point),
            "recovery_points": len(i.recovery_points),
            "soft_deleted": i.soft_deleted,
        }
        for i in sorted(state.items.values(), key=lambda i: i.key)
    ]
    jobs = state.sorted_jobs()
    running = [j for j in jobs if j.is_running(now)]
    ended = [j for j in jobs if not j.is_running(now)][:RECENT_JOBS]
    return {
        "now": iso(now),
        "time_scale": e.clock.scale,
        "vault": {"name": state.vault_name, "resource_group": state.vault_rg, "location": state.location},
        "items": items,
        "jobs": [_job_entry(j, now) for j in running + ended],
        "resources": [
            resources.control_entry(r) for r in sorted(state.arm.resources.values(), key=lambda r: (r.created, r.key))
        ],
    }


def data():
    e = emu()
    with e.lock:
        body = snapshot(e)
    resp = json_response(body)
    resp.headers["Cache-Control"] = "no-store"
    return resp


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Azure Backup emulator</title>
<style>
  :root { --fg: #1b1f24; --muted: #5b6470; --line: #d8dee4; --bg: #f6f8fa; --ok: #1a7f37; --bad: #cf222e;
          --warn: #9a6700; --run: #0969da; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
  header { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: baseline; padding: .8em 1.2em;
           background: #24292f; color: #fff; }
  header h1 { font-size: 1.15em; margin: 0; }
  header span { color: #c9d1d9; }
  #conn.lost { color: #ff8182; font-weight: 600; }
  main { padding: 0 1.2em 2em; }
  h2 { font-size: 1.05em; margin: 1.4em 0 .4em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { background: var(--bg); font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .muted { color: var(--muted); }
  .status { font-weight: 600; }
  .s-Completed, .s-Passed, .s-Protected, .s-Succeeded { color: var(--ok); }
  .s-Failed, .s-ActionRequired, .s-ProtectionError, .s-Cancelled, .s-Deleted { color: var(--bad); }
  .s-CompletedWithWarnings, .s-ActionSuggested, .s-Cancelling, .s-IRPending, .s-Deleting { color: var(--warn); }
  .s-InProgress { color: var(--run); }
  .bar { display: inline-block; width: 7em; height: .6em; background: var(--line); border-radius: .3em;
         overflow: hidden; vertical-align: middle; margin-right: .4em; }
  .bar > i { display: block; height: 100%; background: var(--run); }
  ul.tasks { list-style: none; margin: 0; padding: 0; }
  ul.tasks li { white-space: nowrap; }
  .empty { color: var(--muted); font-style: italic; }
  code { font-size: .92em; }
</style>
</head>
<body>
<header>
  <h1>Azure Backup emulator</h1>
  <span>vault <b id="vault">&hellip;</b></span>
  <span>emulated time <b id="now">&hellip;</b></span>
  <span>time scale <b id="scale">&hellip;</b></span>
  <span id="conn">connecting&hellip;</span>
</header>
<main>
  <h2>Protected items</h2>
  <table id="items">
    <thead><tr><th>VM</th><th>Resource group</th><th>Policy</th><th>Protection</th><th>Health</th>
      <th>Last backup</th><th>Last backup time (UTC)</th><th>Recovery points</th></tr></thead>
    <tbody></tbody>
  </table>
  <h2>Jobs <span class="muted">(running, then the 15 most recent)</span></h2>
  <table id="jobs">
    <thead><tr><th>VM</th><th>Operation</th><th>Status</th><th>Progress</th><th>Tasks</th><th>Start (UTC)</th>
      <th>Duration</th></tr></thead>
    <tbody></tbody>
  </table>
  <h2>Restored resources</h2>
  <table id="resources">
    <thead><tr><th>Type</th><th>Name</th><th>Resource group</th><th>State</th><th>Created (UTC)</th>
      <th>Restore</th></tr></thead>
    <tbody></tbody>
  </table>
</main>
<script>
"use strict";
(function () {
  var POLL_MS = 1000;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; }
      else if (key === "cls") { node.className = attrs[key]; }
      else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }
  function td(text, cls) { return el("td", {text: text == null ? "" : String(text), cls: cls || ""}); }
  function when(value) { return value ? value.replace("T", " ").replace(/\\.\\d+Z$/, "").replace(/Z$/, "") : ""; }
  function duration(seconds) {
    if (seconds == null) { return ""; }
    var s = Math.max(0, Math.round(seconds)), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    s = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + "h " + pad(m) + "m " + pad(s) + "s" : m ? m + "m " + pad(s) + "s" : s + "s";
  }
  function statusCell(value) {
    return el("td", {cls: "status s-" + (value || "none"), "data-field": "status", text: value || "\\u2014"});
  }
  function bar(percent) {
    var wrap = el("span");
    if (percent == null) { return wrap; }
    var fill = el("i");
    fill.style.width = Math.max(0, Math.min(100, percent)) + "%";
    wrap.appendChild(el("span", {cls: "bar"}, [fill]));
    wrap.appendChild(document.createTextNode(percent.toFixed(1) + "%"));
    return wrap;
  }
  function fill(id, rows, emptyText, columns) {
    var body = document.querySelector("#" + id + " tbody");
    var fresh = document.createElement("tbody");
    if (!rows.length) {
      fresh.appendChild(el("tr", {}, [el("td", {colspan: String(columns), cls: "empty", text: emptyText})]));
    }
    rows.forEach(function (row) { fresh.appendChild(row); });
    body.parentNode.replaceChild(fresh, body);
  }

  function jobRow(job) {
    var tasks = el("ul", {cls: "tasks"}, job.tasks.map(function (task) {
      var text = task.task_id + ": " + task.status +
        (task.progress != null ? " " + task.progress.toFixed(1) + "%" : "") +
        (task.start ? " (" + duration(task.duration_seconds) + ")" : "");
      return el("li", {cls: "task s-" + task.status, "data-task-id": task.task_id, "data-status": task.status,
                       "data-progress": task.progress == null ? "" : String(task.progress), text: text});
    }));
    var progress = el("td", {cls: "progress"}, [bar(job.progress)]);
    var cells = [td(job.vm), td(job.operation + (job.user_triggered ? "" : " (scheduled)")), statusCell(job.status),
                 progress, el("td", {}, [tasks]), td(when(job.start)), td(duration(job.duration_seconds), "num")];
    if (job.error) { cells[2].title = job.error; }
    return el("tr", {cls: "job", "data-job-id": job.job_id, "data-status": job.status,
                     "data-operation": job.operation, "data-vm": job.vm}, cells);
  }
  function itemRow(item) {
    return el("tr", {cls: "item", "data-vm": item.vm, "data-health": item.health_status}, [
      td(item.vm), td(item.resource_group), td(item.policy),
      statusCell(item.protection_state + (item.soft_deleted ? " (soft-deleted)" : "")),
      el("td", {cls: "status s-" + item.health_status, text: item.health_status}),
      el("td", {cls: "status s-" + (item.last_backup_status || "none"), text: item.last_backup_status || "\\u2014"}),
      td(when(item.last_backup_time)), td(item.recovery_points, "num")]);
  }
  function resourceRow(res) {
    return el("tr", {cls: "resource", "data-id": res.id, "data-state": res.state}, [
      td(res.type), el("td", {title: res.id, text: res.name}), td(res.resource_group), statusCell(res.state),
      td(when(res.created)), td(res.recovery_type)]);
  }

  function render(view) {
    document.getElementById("vault").textContent = view.vault.name + " (" + view.vault.resource_group + ", " +
      view.vault.location + ")";
    document.getElementById("now").textContent = when(view.now);
    document.getElementById("scale").textContent = view.time_scale + "\\u00d7";
    document.body.setAttribute("data-now", view.now);
    fill("jobs", view.jobs.map(jobRow), "No jobs.", 7);
    fill("items", view.items.map(itemRow), "No protected items.", 8);
    fill("resources", view.resources.map(resourceRow), "No restore has created anything yet.", 6);
  }

  function poll() {
    var conn = document.getElementById("conn");
    fetch("/_emulator/view.json", {cache: "no-store"}).then(function (resp) {
      if (!resp.ok) { throw new Error("HTTP " + resp.status); }
      return resp.json();
    }).then(function (view) {
      render(view);
      conn.textContent = "live";
      conn.className = "";
    }).catch(function (error) {
      conn.textContent = "connection lost (" + error.message + "), retrying";
      conn.className = "lost";
    }).then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
</script>
</body>
</html>
"""
