#!/usr/bin/env python
"""Soak: back up N VMs and wait for all of them in one task, while about 10 % of Azure's reads fail.

Real `ansible-playbook` runs of the collection's modules (one azure_backup_trigger task per VM, then
one azure_backup_job_wait on every job id) against a fresh emulator with N protected VMs, ARM's
throttling budget (reads: 250 refilled 25/s, writes: 200 refilled 10/s) and read faults drawn at
random (seeded): 503, 429 with Retry-After, a 200 proxy page, a dropped connection. It counts what
must hold on a bad day: every job ends in its right state, no backup is triggered twice, no 429
reaches the user (no task fails), and reports the wall time and what the faults did.
Nothing is asserted for CI; the figures go to the results page (docs/reliability.md cites them).

Usage: .venv/bin/python tests/benchmarks/soak.py [--vms 200] [--fault-rate 0.10] [--time-scale 2]
                                                 [--seed 7] [--output FILE]
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "tests" / "benchmarks" / "results" / "soak.md"
EMULATOR = ROOT / ".venv" / "bin" / "azure-backup-emulator"
PLAYBOOK = ROOT / ".venv" / "bin" / "ansible-playbook"
# The faults, as shares of the fault rate: most are 5xx, then throttling, proxy pages and drops.
FAULT_MIX = (
    ("503", {"status": 503}, 0.4),
    ("429", {"status": 429, "retry_after": 1}, 0.3),
    (
        "proxy page",
        {"status": 200, "body": "<html><body>502 Bad Gateway</body></html>", "content_type": "text/html"},
        0.2,
    ),
    ("drop", {"action": "drop"}, 0.1),
)

PLAY = """---
- name: Soak - back up every VM, then wait for all of them in one task
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Back up
      cloudops.azure_backup.azure_backup_trigger:
        vm_name: "{{ item }}"
        retain_days: 7
        poll_interval: 1
        timeout: 600
      loop: "{{ soak_vms }}"
      register: soak_started

    - name: Wait for every backup
      cloudops.azure_backup.azure_backup_job_wait:
        job_ids: "{{ soak_started.results | map(attribute='job_id') | list }}"
        timeout: 3600
        poll_interval: 5
      register: soak_waited

    - name: Keep the outcome
      ansible.builtin.copy:
        content: "{{ {'started': soak_started.results | map(attribute='job_id') | list,
                      'changed': soak_started.results | selectattr('changed') | list | length,
                      'jobs': soak_waited.jobs | map(attribute='status') | list,
                      'polls': soak_waited.polls, 'wait_elapsed': soak_waited.elapsed} | to_json }}"
        dest: "{{ soak_outcome }}"
        mode: "0600"
"""


def control(session, url, path, body=None, method=None):
    method = method or ("POST" if body is not None else "GET")
    resp = session.request(method, url + "/_emulator/" + path, json=body, timeout=30)
    resp.raise_for_status()
    return resp.json()


def start_emulator(workdir, vms, time_scale):
    scenario = Path(workdir) / "scenario.json"
    scenario.write_text(
        json.dumps(
            {
                "virtual_machines": [],
                "generated_vms": {"count": vms, "prefix": "vm-soak-", "resource_group": "rg-soak", "policy": "DefaultPolicy"},
                "throttling": {"enabled": True, "reads": {"capacity": 250, "refill_per_second": 25},
                               "writes": {"capacity": 200, "refill_per_second": 10}},
            }
        )
    )  # fmt: skip
    log = open(Path(workdir) / "emulator.log", "w")
    proc = subprocess.Popen(
        [str(EMULATOR), "serve", "--host", "127.0.0.1", "--port", "0", "--workdir", str(workdir),
         "--time-scale", str(time_scale), "--scenario", str(scenario)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url_file = Path(workdir) / "url"
    for _dummy in range(600):
        if url_file.exists() and url_file.read_text().strip():
            return proc, json.loads((Path(workdir) / "env.json").read_text())
        if proc.poll() is not None:
            sys.exit("soak.py: the emulator exited; see %s" % (Path(workdir) / "emulator.log"))
        time.sleep(0.1)
    proc.terminate()
    sys.exit("soak.py: the emulator was not ready within 60 s")


def run(args):
    with tempfile.TemporaryDirectory(prefix="soak-") as workdir:
        proc, env = start_emulator(workdir, args.vms, args.time_scale)
        try:
            url = env["AZURE_BACKUP_EMULATOR_URL"]
            ctl = requests.Session()
            ctl.trust_env, ctl.verify = False, env["REQUESTS_CA_BUNDLE"]
            for index, (name, spec, share) in enumerate(FAULT_MIX):
                fault = dict(spec, method="GET", path_regex="^/subscriptions/", probability=args.fault_rate * share,
                             seed=args.seed + index)  # fmt: skip
                control(ctl, url, "faults", fault)
            playbook = Path(workdir) / "soak.yml"
            playbook.write_text(PLAY)
            outcome_file = Path(workdir) / "outcome.json"
            extra = {
                "soak_vms": ["vm-soak-%03d" % i for i in range(1, args.vms + 1)],
                "soak_outcome": str(outcome_file),
            }
            started = time.monotonic()
            done = subprocess.run(
                [str(PLAYBOOK), str(playbook), "-e", json.dumps(extra)],
                cwd=str(ROOT),
                env=dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), **env),
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.monotonic() - started
            stats = control(ctl, url, "stats")
            faults = control(ctl, url, "faults")["faults"]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        outcome = json.loads(outcome_file.read_text()) if outcome_file.exists() else None
    return done, wall, stats, faults, outcome


def summarise(args, done, wall, stats, faults, outcome):
    ops = stats["operations"]
    triggers = ops.get("Backups_Trigger", {"count": 0, "statuses": {}})
    not_arm = (
        "Metadata",
        "OpenIdConfiguration",
        "OpenIdConfigurationV1",
        "InstanceDiscovery",
        "Keys",
        "Token",
        "TokenV1",
    )
    reads = sum(op["count"] for name, op in ops.items() if not name.startswith("Emulator_") and name not in not_arm
                and name != "Backups_Trigger")  # fmt: skip
    injected = dict((name, fault["applied"]) for (name, dummy, dummy2), fault in zip(FAULT_MIX, faults))
    throttled_by_arm = sum(op["statuses"].get("429", 0) for op in ops.values()) - injected.get("429", 0)
    statuses = (outcome or {}).get("jobs") or []
    return {
        "vms": args.vms,
        "playbook_rc": done.returncode,
        "failed_tasks": done.stdout.count("FAILED!") + done.stdout.count("failed: ["),
        "wall": wall,
        "triggered": (outcome or {}).get("changed"),
        "distinct_jobs": len(set((outcome or {}).get("started") or [])),
        "posts": triggers["count"],
        "posts_202": triggers["statuses"].get("202", 0),
        "posts_in_progress": triggers["statuses"].get("400", 0),
        "completed": statuses.count("Completed"),
        "other_states": sorted(set(s for s in statuses if s != "Completed")),
        "polls": (outcome or {}).get("polls"),
        "wait_elapsed": (outcome or {}).get("wait_elapsed"),
        "reads": reads,
        "injected": injected,
        "injected_total": sum(injected.values()),
        "arm_429": throttled_by_arm,
        "token_requests": stats["token_requests"],
    }


def render(row, args, cmd):
    ok = (
        row["playbook_rc"] == 0
        and row["completed"] == row["vms"]
        and row["posts"] == row["posts_202"] == row["vms"] == row["distinct_jobs"]
        and row["failed_tasks"] == 0
    )
    lines = [
        "# soak: %d VMs backed up and waited on while %.0f %% of reads fail" % (row["vms"], 100 * args.fault_rate),
        "",
        "- date: %s; machine: nproc %s, Python %s; emulator time scale %s, seed %s"
        % (
            datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            os.cpu_count(),
            platform.python_version(),
            args.time_scale,
            args.seed,
        ),  # fmt: skip
        "- command: `%s`" % cmd,
        "- verdict: **%s**" % ("every check held" if ok else "A CHECK FAILED"),
        "",
        "| check | result |",
        "|---|---|",
        "| jobs that ended Completed (all of them must) | %d of %d%s |"
        % (
            row["completed"],
            row["vms"],
            (" (others: %s)" % ", ".join(row["other_states"])) if row["other_states"] else "",
        ),
        "| backup POSTs / answered 202 / refused as already running | %d / %d / %d |"
        % (row["posts"], row["posts_202"], row["posts_in_progress"]),
        "| distinct job ids returned by the %d trigger tasks | %d |" % (row["vms"], row["distinct_jobs"]),
        "| failed tasks (a 429 or any error reaching the user) | %d (playbook exit status %d) |"
        % (row["failed_tasks"], row["playbook_rc"]),
        "| ARM reads / faults injected into them | %d / %d (%s) |"
        % (row["reads"], row["injected_total"], ", ".join("%s %d" % kv for kv in row["injected"].items())),
        "| 429s from ARM's own throttling (token buckets) | %d |" % row["arm_429"],
        "| token requests (tasks in the controller share one token, plus refreshes) | %d |" % row["token_requests"],
        "| the one wait: polls / seconds | %s / %s |" % (row["polls"], row["wait_elapsed"]),
        "| wall time of the whole playbook | %.0f s |" % row["wall"],
    ]
    return "\n".join(lines) + "\n", ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--vms", type=int, default=200)
    parser.add_argument("--fault-rate", type=float, default=0.10)
    # Slow enough that the backups still run while the wait starts: the wait then really polls them.
    parser.add_argument("--time-scale", type=float, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    args = parser.parse_args()
    cmd = ".venv/bin/python tests/benchmarks/soak.py --vms %d --fault-rate %s --time-scale %s --seed %d" % (
        args.vms, args.fault_rate, args.time_scale, args.seed)  # fmt: skip
    done, wall, stats, faults, outcome = run(args)
    page, ok = render(summarise(args, done, wall, stats, faults, outcome), args, cmd)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(page)
    sys.stdout.write(page)
    if not ok:
        sys.stdout.write(
            "\n---- playbook output (last 60 lines) ----\n" + "\n".join(done.stdout.splitlines()[-60:]) + "\n"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
