#!/usr/bin/env python
"""Benchmark P1-P4 of the collection's tasks, side by side with ``ansible.builtin.uri``, through real
``ansible-playbook`` runs against a fresh emulator (HTTPS, keep-alive, ARM's throttling budget).

P1  per-task cost: N separate ``azure_backup_job_info`` tasks (auth included) against N ``uri`` GETs of
    the same job with a token fetched once; per task = (t_N - t_1) / (N - 1), wall time, medians of
    paired and alternated runs; requests and TCP connections per task from the emulator's statistics.
P2  the CPU of a wait: one ``azure_backup_job_wait`` task polling a running backup every 2 s (about 20
    polls) against the same playbook running ``command: sleep`` for as long, and ``uri`` + ``until:``;
    whole-playbook CPU (user + system of every process). The wait's own CPU per poll is measured where it
    runs, in one process: the collection's ``_jobs.Waiter`` (with its progress reporter, as the action plugin
    runs it) waits on a running backup, and the process CPU time of that wait is divided by its polls (sleeping
    costs no CPU, so what is left is the polls: the HTTPS GET over the kept-alive connection, JSON, the job's
    normalisation, the progress bookkeeping). A difference of two whole-playbook runs cannot give it: the
    ~30 ms per second that ansible-core burns around any task varies more from run to run than 20 polls cost.
P3  ARM requests per job of one wait on N jobs (N backups triggered first, in-process).
P4  job end -> task returns, at a 1 s poll interval (the emulator's clock says when the job ended).

Nothing is asserted: the figures go to the results page and docs/performance.md cites them.
Usage: .venv/bin/python tests/benchmarks/tasks_vs_uri.py [--runs 5] [--tasks 20] [--jobs 10,100,500]
       [--output FILE] [--smoke]   (--smoke: one tiny run of everything, so that the script cannot rot)
"""

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "tests" / "benchmarks" / "results" / "tasks_vs_uri.md"
EMULATOR = ROOT / ".venv" / "bin" / "azure-backup-emulator"
PLAYBOOK = ROOT / ".venv" / "bin" / "ansible-playbook"
NOT_ARM = ("Metadata", "OpenIdConfiguration", "OpenIdConfigurationV1", "InstanceDiscovery", "Keys", "Token", "TokenV1")
TARGETS = {"P1": "<= 1.0 (never above 1.2), <= 2 requests per task", "P2": "<= 1.15", "P2p": "<= 5 ms",
           "P3": "<= 1.2 at N=500; <= 1 + 1.5 x polls / N", "P4": "<= poll interval + 0.5 s"}  # fmt: skip

HEADER = """---
- name: Benchmark
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
"""


class Emulator(object):
    def __init__(self, workdir, time_scale, vms):
        scenario = Path(workdir) / "scenario.json"
        scenario.write_text(
            json.dumps({"generated_vms": {"count": vms, "prefix": "vm-bench-", "resource_group": "rg-bench"}})
        )
        self.log = open(Path(workdir) / "emulator.log", "w")
        self.proc = subprocess.Popen(
            [str(EMULATOR), "serve", "--host", "127.0.0.1", "--port", "0", "--workdir", str(workdir),
             "--time-scale", str(time_scale), "--scenario", str(scenario)],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        for _dummy in range(600):
            if (Path(workdir) / "url").exists() and (Path(workdir) / "url").read_text().strip():
                break
            if self.proc.poll() is not None:
                sys.exit("tasks_vs_uri.py: the emulator exited; see %s" % self.log.name)
            time.sleep(0.1)
        self.env = json.loads((Path(workdir) / "env.json").read_text())
        self.url = self.env["AZURE_BACKUP_EMULATOR_URL"]
        self.session = requests.Session()
        self.session.trust_env, self.session.verify = False, self.env["REQUESTS_CA_BUNDLE"]

    def control(self, path, body=None):
        method = "POST" if body is not None else "GET"
        resp = self.session.request(method, self.url + "/_emulator/" + path, json=body, timeout=60)
        resp.raise_for_status()
        return resp.json()

    def now(self):
        return datetime.datetime.fromisoformat(self.control("time")["now"].replace("Z", "+00:00"))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def arm_requests(before, after):
    """ARM requests (no token, no discovery) between two /_emulator/stats snapshots, and 429s among them."""
    total = throttled = 0
    for name, op in after["operations"].items():
        if name.startswith("Emulator_") or name in NOT_ARM:
            continue
        old = before["operations"].get(name, {"count": 0, "statuses": {}})
        total += op["count"] - old["count"]
        throttled += op["statuses"].get("429", 0) - old["statuses"].get("429", 0)
    return total, throttled


def client_requests(before, after):
    """Every request of the playbook between two /_emulator/stats snapshots (tokens and discovery included), the
    benchmark's own control calls (the stats read itself) left out."""
    return sum(
        op["count"] - before["operations"].get(name, {"count": 0})["count"]
        for name, op in after["operations"].items()
        if not name.startswith("Emulator_")
    )


def run_playbook(emu, text, workdir, name, extra=None):
    """(wall seconds, CPU seconds of the whole process tree, result) of one ansible-playbook run."""
    path = Path(workdir) / (name + ".yml")
    path.write_text(text)
    args = [str(PLAYBOOK), str(path)]
    if extra is not None:
        extra_file = Path(workdir) / (name + ".json")
        extra_file.write_text(json.dumps(extra))
        args += ["-e", "@" + str(extra_file)]
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), **emu.env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(args, cwd=str(ROOT), env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit("tasks_vs_uri.py: %s failed:\n%s" % (name, done.stdout[-3000:]))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    said = [line.split("RESULT=", 1)[1].rstrip('"') for line in done.stdout.splitlines() if "RESULT=" in line]
    result = json.loads(said[-1].replace('\\"', '"')) if said else None
    return wall, cpu, result


def keep_result(expression):
    """A last task that prints the result as one line (a debug task runs in the controller: next to nothing)."""
    return (
        '    - name: Say the result\n      ansible.builtin.debug:\n        msg: "RESULT={{ %s | to_json }}"\n'
        % expression
    )


def job_info_tasks(n):
    task = (
        '    - name: Read the job\n      cloudops.azure_backup.azure_backup_job_info:\n        job_id: "{{ job_id }}"\n'
    )
    return HEADER + task * n


def uri_tasks(n, emu):
    token = (
        "    - name: Get a token\n      ansible.builtin.uri:\n"
        '        url: "%s/%s/oauth2/v2.0/token"\n        method: POST\n        body_format: form-urlencoded\n'
        "        body: {grant_type: client_credentials, client_id: %s, client_secret: %s, scope: 'https://management.azure.com/.default'}\n"
        '        ca_path: "%s"\n      register: token\n      no_log: true\n'
        % (emu.url, emu.env["AZURE_TENANT"], emu.env["AZURE_CLIENT_ID"], emu.env["AZURE_SECRET"], emu.env["REQUESTS_CA_BUNDLE"])
    )  # fmt: skip
    get = (
        "    - name: Read the job\n      ansible.builtin.uri:\n"
        '        url: "%s%s/backupJobs/{{ job_id }}?api-version=2026-10-01"\n'
        '        headers: {Authorization: "Bearer {{ token.json.access_token }}"}\n        ca_path: "%s"\n'
        % (emu.url, vault_path(emu), emu.env["REQUESTS_CA_BUNDLE"])
    )
    return HEADER + token + get * n


def vault_path(emu):
    return "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.RecoveryServices/vaults/%s" % (
        emu.env["AZURE_SUBSCRIPTION_ID"], emu.env["AZURE_BACKUP_RESOURCE_GROUP"], emu.env["AZURE_BACKUP_VAULT_NAME"])  # fmt: skip


def trigger(emu, vms):
    """Start a backup of each VM through the emulator's REST API (as a client would), return the job ids."""
    token = emu.session.post(
        "%s/%s/oauth2/v2.0/token" % (emu.url, emu.env["AZURE_TENANT"]),
        data={"grant_type": "client_credentials", "client_id": emu.env["AZURE_CLIENT_ID"],
              "client_secret": emu.env["AZURE_SECRET"], "scope": "https://management.azure.com/.default"},
        timeout=30,
    ).json()["access_token"]  # fmt: skip
    headers = {"Authorization": "Bearer " + token}
    statuses = []
    for vm in vms:
        item = "%s/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;%s;%s/protectedItems/VM;iaasvmcontainerv2;%s;%s" % (
            vault_path(emu), vm[1], vm[0], vm[1], vm[0])  # fmt: skip
        for _dummy in range(100):
            resp = emu.session.post(emu.url + item + "/backup?api-version=2026-10-01", headers=headers,
                                    json={"properties": {"objectType": "IaasVMBackupRequest"}}, timeout=30)  # fmt: skip
            if resp.status_code != 429:
                break
            time.sleep(float(resp.headers.get("Retry-After", "1")))
        resp.raise_for_status()
        statuses.append(resp.headers["Azure-AsyncOperation"])
    job_ids = []
    for url in statuses:
        while True:
            body = emu.session.get(url, headers=headers, timeout=30)
            if body.status_code == 429:
                time.sleep(float(body.headers.get("Retry-After", "1")))
                continue
            body = body.json()
            if body.get("status") == "Succeeded":
                job_ids.append(body["properties"]["jobId"])
                break
            time.sleep(0.05)
    return job_ids


def median(values):
    return statistics.median(values) if values else float("nan")


def p1(emu, args, workdir):
    job_id = emu.control("state")["jobs"][0]["job_id"]
    extra = {"job_id": job_id}
    walls = {("ours", 1): [], ("ours", args.tasks): [], ("uri", 1): [], ("uri", args.tasks): []}
    reqs = {"ours": [], "uri": []}
    conns = {"ours": [], "uri": []}
    for run in range(args.runs):
        order = [("ours", 1), ("uri", 1), ("ours", args.tasks), ("uri", args.tasks)]
        if run % 2:
            order.reverse()  # alternate, so that neither side always runs on a warmer machine
        for who, n in order:
            text = job_info_tasks(n) if who == "ours" else uri_tasks(n, emu)
            before = emu.control("stats")
            wall, dummy, dummy2 = run_playbook(emu, text, workdir, "p1-%s-%d" % (who, n), extra)
            after = emu.control("stats")
            walls[(who, n)].append(wall)
            if n == args.tasks:
                reqs[who].append(client_requests(before, after))
                conns[who].append((after["connections"] - before["connections"]))
    per_task = dict(
        (who, median([(t - s) / (args.tasks - 1) for t, s in zip(walls[(who, args.tasks)], walls[(who, 1)])]))
        for who in ("ours", "uri")
    )
    return {
        "ours": per_task["ours"],
        "uri": per_task["uri"],
        "ratio": per_task["ours"] / per_task["uri"],
        # requests and connections of the N-task playbook, per task (uri's includes its one token request)
        "ours_requests": median(reqs["ours"]) / args.tasks,
        "uri_requests": median(reqs["uri"]) / args.tasks,
        "ours_connections": median(conns["ours"]) / args.tasks,
        "uri_connections": median(conns["uri"]) / args.tasks,
    }


WAIT = HEADER + (
    "    - name: Wait for the backup\n      cloudops.azure_backup.azure_backup_job_wait:\n"
    '        job_ids: ["{{ job_id }}"]\n        poll_interval: "{{ poll }}"\n        timeout: 3600\n      register: waited\n'
) + keep_result("{'polls': waited.polls, 'end': waited.job.end_time}")  # fmt: skip
SLEEP = (
    HEADER
    + '    - name: Sleep as long\n      ansible.builtin.command: sleep {{ seconds }}\n      changed_when: false\n'
    + keep_result("{'polls': 0}")
)


def uri_until(emu):
    return HEADER + (
        "    - name: Get a token\n      ansible.builtin.uri:\n"
        '        url: "%s/%s/oauth2/v2.0/token"\n        method: POST\n        body_format: form-urlencoded\n'
        "        body: {grant_type: client_credentials, client_id: %s, client_secret: %s, scope: 'https://management.azure.com/.default'}\n"
        '        ca_path: "%s"\n      register: token\n      no_log: true\n'
        "    - name: Wait for the backup\n      ansible.builtin.uri:\n"
        '        url: "%s%s/backupJobs/{{ job_id }}?api-version=2026-10-01"\n'
        '        headers: {Authorization: "Bearer {{ token.json.access_token }}"}\n        ca_path: "%s"\n'
        "      register: job\n      until: job.json.properties.status not in ['InProgress', 'Cancelling']\n"
        '      retries: 1000\n      delay: "{{ poll }}"\n'
    ) % (emu.url, emu.env["AZURE_TENANT"], emu.env["AZURE_CLIENT_ID"], emu.env["AZURE_SECRET"],
         emu.env["REQUESTS_CA_BUNDLE"], emu.url, vault_path(emu), emu.env["REQUESTS_CA_BUNDLE"]) + keep_result(
        "{'polls': job.attempts, 'end': job.json.properties.endTime}")  # fmt: skip


def lag_seconds(emu, end, scale):
    """Real seconds between a job's end (emulated time) and now (emulated, read right after the task returned)."""
    ended = datetime.datetime.fromisoformat(end.replace("Z", "+00:00")[:26] + "+00:00") if "." in end else None
    ended = ended or datetime.datetime.fromisoformat(end.replace("Z", "+00:00"))
    return (emu.now() - ended).total_seconds() / scale


def p2_p4(emu, args, workdir, scale, poll, vm):
    """One wait with ours, one with uri + until, and command: sleep as long as ours took; CPU, polls, lag."""
    emu.control("time/scale", {"scale": scale})
    rows = []
    for run in range(args.runs):
        row = {}
        for who in ("ours", "uri") if run % 2 == 0 else ("uri", "ours"):
            job_id = trigger(emu, [vm])[0]
            text = uri_until(emu) if who == "uri" else WAIT
            wall, cpu, result = run_playbook(emu, text, workdir, "wait-%s" % who, {"job_id": job_id, "poll": poll})
            row[who] = {
                "wall": wall,
                "cpu": cpu,
                "polls": result["polls"],
                "lag": lag_seconds(emu, result["end"], scale),
            }
        dummy, cpu, dummy2 = run_playbook(emu, SLEEP, workdir, "sleep", {"seconds": round(row["ours"]["wall"], 1)})
        row["sleep"] = {"cpu": cpu, "wall": row["ours"]["wall"]}
        rows.append(row)
    return {
        "wall": median([r["ours"]["wall"] for r in rows]),
        "polls": median([r["ours"]["polls"] for r in rows]),
        "cpu": median([r["ours"]["cpu"] for r in rows]),
        "cpu_sleep": median([r["sleep"]["cpu"] for r in rows]),
        "cpu_uri": median([r["uri"]["cpu"] for r in rows]),
        "ratio": median([r["ours"]["cpu"] / r["sleep"]["cpu"] for r in rows]),
        "uri_ratio": median([r["uri"]["cpu"] / r["sleep"]["cpu"] for r in rows]),
        "lag": median([r["ours"]["lag"] for r in rows]),
        "uri_lag": median([r["uri"]["lag"] for r in rows]),
        "poll": poll,
    }


def load_collection(workdir):
    """Import the collection's module_utils through workdir/ansible_collections/cloudops/azure_backup."""
    parent = Path(workdir) / "ansible_collections" / "cloudops"
    parent.mkdir(parents=True, exist_ok=True)
    if not (parent / "azure_backup").exists():
        (parent / "azure_backup").symlink_to(ROOT)
    sys.path.insert(0, str(workdir))
    from ansible_collections.cloudops.azure_backup.plugins.module_utils import _auth, _client, _ids, _jobs, _progress

    return _auth, _client, _ids, _jobs, _progress


def per_poll_cpu(emu, args, workdir, scale, poll, vm):
    """The wait's own CPU per poll, in the process that waits (the emulator runs in its own process)."""
    _auth, _client, _ids, _jobs, _progress = load_collection(workdir)
    emu.control("time/scale", {"scale": scale})
    env = dict(emu.env)
    os.environ.update(env)  # the CA bundle, for the token requests as for ARM (the playbooks get the same env)
    settings = _auth.resolve_auth({}, env=env)
    cloud = _auth.resolve_cloud(settings.cloud_environment)
    client = _client.ArmClient(
        cloud.resource_manager, _auth.create_token_provider(settings, cloud, env=env), settings.subscription_id
    )
    vault = _ids.vault_path(
        settings.subscription_id, env["AZURE_BACKUP_RESOURCE_GROUP"], env["AZURE_BACKUP_VAULT_NAME"]
    )
    lines = []
    samples = []
    for _run in range(args.runs):
        job_id = trigger(emu, [vm])[0]
        client.get(_ids.job_path(vault, job_id))  # the token and the connection, as a task's first request has them
        progress = _progress.Progress(lines.append, 60)
        client.sleep = progress.sleep  # as _task.Task.client() sets it when progress is on
        waiter = _jobs.Waiter(client, vault, poll_interval=poll, deadline=time.monotonic() + 3600, progress=progress)
        cpu0 = time.process_time()
        outcome = waiter.wait([job_id])
        cpu = time.process_time() - cpu0
        samples.append({"ms": 1000.0 * cpu / outcome.polls, "polls": outcome.polls})
    return {"per_poll_ms": median([x["ms"] for x in samples]), "polls": median([x["polls"] for x in samples]),
            "lines": len(lines), "poll": poll}  # fmt: skip


def p3(emu, args, workdir, n, scale, poll):
    emu.control("reset", {})
    emu.control("time/scale", {"scale": scale})
    vms = [("vm-bench-%03d" % i, "rg-bench") for i in range(1, n + 1)]
    job_ids = trigger(emu, vms)
    before = emu.control("stats")
    text = HEADER + (
        "    - name: Wait for every backup\n      cloudops.azure_backup.azure_backup_job_wait:\n"
        '        job_ids: "{{ job_ids }}"\n        poll_interval: "{{ poll }}"\n        timeout: 3600\n'
        "        progress_interval: 0\n      register: waited\n"
    ) + keep_result("{'polls': waited.polls, 'statuses': waited.jobs | map(attribute='status') | list}")  # fmt: skip
    wall, dummy, result = run_playbook(emu, text, workdir, "p3-%d" % n, {"job_ids": job_ids, "poll": poll})
    after = emu.control("stats")
    total, throttled = arm_requests(before, after)
    return {
        "n": n,
        "polls": result["polls"],
        "requests": total,
        "per_job": total / float(n),
        "bound": 1 + 1.5 * result["polls"] / n,
        "throttled": throttled,
        "completed": result["statuses"].count("Completed"),
        "wall": wall,
    }


def render(args, rows, info):
    p1r, p2r, p2c, p4r, p3r = rows["P1"], rows["P2"], rows["P2p"], rows["P4"], rows["P3"]
    lines = [
        "# tasks_vs_uri: P1-P4 of the collection's tasks, side by side with `ansible.builtin.uri`",
        "",
        "- date: %s; machine: nproc %s, Python %s, ansible-core %s; runs: %d (medians)"
        % (info["date"], os.cpu_count(), platform.python_version(), info["ansible_core"], args.runs),
        "- command: `%s`" % info["command"],
        "",
        "| figure | ours | peer | ratio | goal |",
        "|---|---|---|---|---|",
        "| P1 per task, `azure_backup_job_info` (auth included) vs `uri` GET with a token fetched once | %.3f s | %.3f s | %.2f× | %s |"
        % (p1r["ours"], p1r["uri"], p1r["ratio"], TARGETS["P1"]),
        "| P1 requests / TCP connections per task (%d tasks) | %.2f / %.2f | %.2f / %.2f | | |"
        % (args.tasks, p1r["ours_requests"], p1r["ours_connections"], p1r["uri_requests"], p1r["uri_connections"]),
        "| P2 whole-playbook CPU of a %.0f-poll wait (%.0f s interval) vs `command: sleep` as long | %.2f s | %.2f s | %.2f× | %s |"
        % (p2r["polls"], p2r["poll"], p2r["cpu"], p2r["cpu_sleep"], p2r["ratio"], TARGETS["P2"]),
        "| P2 the same wait with `uri` + `until:` vs `command: sleep` | %.2f s | %.2f s | %.2f× | |"
        % (p2r["cpu_uri"], p2r["cpu_sleep"], p2r["uri_ratio"]),
        "| P2 the wait's own CPU per poll: process CPU of `_jobs.Waiter` (with progress) waiting on a running "
        "backup / its polls (%.0f polls, %.0f s interval; %d progress lines in all %d runs) | %.1f ms | | | %s |"
        % (p2c["polls"], p2c["poll"], p2c["lines"], args.runs, p2c["per_poll_ms"], TARGETS["P2p"]),
        "| P4 job end -> task returns (%.0f s interval) | %.2f s | %.2f s (`uri` + `until:`) | | %s |"
        % (p4r["poll"], p4r["lag"], p4r["uri_lag"], TARGETS["P4"]),
    ]
    for row in p3r:
        lines.append(
            "| P3 ARM requests per job, one wait on N=%d jobs (%d polls, %d requests, %d ended Completed, %d 429s) "
            "| %.2f | bound 1 + 1.5 × polls / N = %.2f | | %s |"
            % (row["n"], row["polls"], row["requests"], row["completed"], row["throttled"], row["per_job"], row["bound"], TARGETS["P3"])
        )  # fmt: skip
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--jobs", default="10,100,500")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--smoke", action="store_true", help="one tiny run of everything (make test)")
    args = parser.parse_args()
    command = ".venv/bin/python tests/benchmarks/tasks_vs_uri.py --runs %d --tasks %d --jobs %s" % (
        args.runs, args.tasks, args.jobs)  # fmt: skip
    if args.smoke:
        args.runs, args.tasks, args.jobs = 1, 3, "3"
        command += " --smoke"
    jobs = [int(n) for n in args.jobs.split(",")]
    try:
        from ansible.release import __version__ as ansible_core
    except ImportError:  # pragma: no cover
        ansible_core = "?"
    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "ansible_core": ansible_core, "command": command}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="tasks-vs-uri-") as workdir:
        emu = Emulator(workdir, 600, max(jobs))
        try:
            rows = {"P1": p1(emu, args, workdir)}
            # P2: about 20 polls of 2 s (a backup lasts some 1200 emulated seconds); P4: a 1 s interval
            rows["P2"] = p2_p4(
                emu, args, workdir, scale=30 if not args.smoke else 300, poll=2, vm=("vm-web-01", "rg-workloads")
            )
            rows["P2p"] = per_poll_cpu(
                emu, args, workdir, scale=30 if not args.smoke else 300, poll=2, vm=("vm-web-01", "rg-workloads")
            )
            rows["P4"] = p2_p4(
                emu, args, workdir, scale=60 if not args.smoke else 300, poll=1, vm=("vm-web-02", "rg-workloads")
            )
            rows["P3"] = [p3(emu, args, workdir, n, scale=10 if not args.smoke else 120, poll=5 if not args.smoke else 1)
                          for n in jobs]  # fmt: skip
        finally:
            emu.stop()
    page = render(args, rows, info)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(page)
    sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
