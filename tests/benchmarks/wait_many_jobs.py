#!/usr/bin/env python
"""Benchmark: wait on N backup jobs at once with the collection's Waiter, against an in-process emulator.

For each N: start an emulator with N protected VMs (ARM throttling on, real budget: reads 250-token
bucket refilled 25/s), trigger N backups with the collection's client, then wait with ``_jobs.Waiter``
and count what the wait cost (DESIGN §5): ARM requests by operation, 429s, wall time, and how late
the end of the last job was noticed. Two peers are computed from the same jobs: a naive waiter that
GETs every job on every poll, and ``az backup job wait`` (one process per job; GET, then sleep 30 s
after every GET while the job is InProgress). Traffic goes to 127.0.0.1 only; nothing is asserted.
Usage: .venv/bin/python tests/benchmarks/wait_many_jobs.py [--jobs 5,25,100,200] [--time-scale 30] ...
"""

import argparse
import datetime
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "tests" / "benchmarks" / "results" / "wait_many_jobs.md"
VM_GROUP = "rg-bench"
AZ_POLL = 30.0  # seconds az backup job wait sleeps after each GET (azure-cli custom.py wait_for_job)
TRACK_POLL = 0.02  # cap on the wait before each operation-status GET while triggering (s, real)
ARM_READ_BUDGET = {"capacity": 250, "refill_per_second": 25}


def load_modules(tmp):
    """Import the collection through tmp/ansible_collections/cloudops/azure_backup -> the work tree."""
    parent = Path(tmp) / "ansible_collections" / "cloudops"
    parent.mkdir(parents=True)
    (parent / "azure_backup").symlink_to(ROOT)
    sys.path.insert(0, str(tmp))
    sys.path.insert(1, str(ROOT / "tests" / "emulator"))  # when the emulator is not pip-installed
    from ansible_collections.cloudops.azure_backup.plugins.module_utils import (
        _auth,
        _backup,
        _client,
        _errors,
        _filters,
        _ids,
        _jobs,
        _operations,
    )
    from azure_backup_emulator.scenario import load_scenario
    from azure_backup_emulator.server import EmulatorServer

    return types.SimpleNamespace(
        auth=_auth,
        backup=_backup,
        client=_client,
        errors=_errors,
        filters=_filters,
        ids=_ids,
        jobs=_jobs,
        operations=_operations,
        load_scenario=load_scenario,
        EmulatorServer=EmulatorServer,
    )


def scenario(n):
    """N protected VMs (each backup ends Completed), deep-merged over the default scenario."""
    vms = [
        {
            "name": "vm-bench-%03d" % i,
            "resource_group": VM_GROUP,
            "protected": True,
            "policy": "DefaultPolicy",
            "backup": {"size_mb": 1024},
        }
        for i in range(1, n + 1)
    ]
    return {
        "virtual_machines": vms,
        "throttling": {
            "enabled": True,
            "reads": dict(ARM_READ_BUDGET),
            "writes": {"capacity": 200, "refill_per_second": 10},
        },
    }


def control(session, env, path):
    return session.get(env["AZURE_BACKUP_EMULATOR_URL"] + "/_emulator/" + path, timeout=30).json()


def delta(before, after):
    """Per ARM operation: requests and statuses between two /_emulator/stats snapshots."""
    out = {}
    for op, now in after["operations"].items():
        if op.startswith("Emulator_"):
            continue
        old = before["operations"].get(op, {"count": 0, "statuses": {}})
        statuses = {k: v - old["statuses"].get(k, 0) for k, v in now["statuses"].items()}
        if now["count"] - old["count"]:
            out[op] = {"count": now["count"] - old["count"], "statuses": {k: v for k, v in statuses.items() if v}}
    return out


def count_429(ops):
    return sum(op["statuses"].get("429", 0) for op in ops.values())


def peak_reads_per_second(entries):
    """Most ARM GETs in any 1 s (real time) window of the request log."""
    times = sorted(
        datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp()
        for e in entries
        if e["method"] == "GET" and not e["path"].startswith("/_emulator")
    )
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def az_job_wait_model(ends, t0):
    """(GETs, time the last process returns) for one az backup job wait per job, started at t0 (Azure time)."""
    gets, returns = 0, []
    for end in ends:
        if end <= t0:
            gets, returns = gets + 1, returns + [t0]
            continue
        k = math.ceil((end - t0).total_seconds() / AZ_POLL)  # first GET at or after the end
        gets += k + 2  # initial GET, loop GETs at t0 + 30*j, j = 0..k
        returns.append(t0 + datetime.timedelta(seconds=AZ_POLL * (k + 1)))  # + the sleep after that GET
    return gets, max(returns)


def run_one(mu, n, args):
    """Emulator with n VMs; trigger n backups; wait; return one result row (dict)."""
    server = mu.EmulatorServer(port=0, time_scale=args.time_scale, scenario=mu.load_scenario(data=scenario(n)))
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-emu-") as workdir:
            env = server.write_workdir(workdir)
            os.environ.update(env)
            ctl = requests.Session()
            ctl.trust_env, ctl.verify = False, env["REQUESTS_CA_BUNDLE"]
            settings = mu.auth.resolve_auth({}, env=env)
            cloud = mu.auth.resolve_cloud(settings.cloud_environment)
            client = mu.client.ArmClient(
                cloud.resource_manager,
                mu.auth.create_token_provider(settings, cloud, env=env),
                settings.subscription_id,
            )
            vault = mu.ids.vault_path(
                settings.subscription_id, env["AZURE_BACKUP_RESOURCE_GROUP"], env["AZURE_BACKUP_VAULT_NAME"]
            )
            remaining = []
            client.session.hooks["response"].append(
                lambda r, *a, **k: remaining.append(r.headers.get("x-ms-ratelimit-remaining-subscription-reads"))
            )

            timing = server.emulator.scenario["timing"]
            longest = sum(max(timing[k]) for k in ("operation_seconds", "snapshot_seconds", "transfer_seconds"))
            deadline = time.monotonic() + 2 * longest / args.time_scale + 60

            start = control(ctl, env, "stats")
            t_trigger = time.monotonic()
            body = mu.backup.backup_request(mu.backup.expiry_time())
            accepted = [
                client.post(
                    mu.ids.backup_path(
                        mu.ids.item_path(
                            vault, mu.ids.container_name(VM_GROUP, vm["name"]), mu.ids.item_name(VM_GROUP, vm["name"])
                        )
                    ),
                    body=body,
                    deadline=deadline,
                )
                for vm in scenario(n)["virtual_machines"]
            ]
            job_ids = [
                mu.operations.track(client, resp, deadline, poll_interval=TRACK_POLL).job_id for resp in accepted
            ]
            trigger_s = time.monotonic() - t_trigger

            before = control(ctl, env, "stats")
            del remaining[:]
            waiter = mu.jobs.Waiter(client, vault, timeout=None, poll_interval=args.poll_interval, deadline=deadline)
            emu_t0, t0 = server.emulator.now(), time.monotonic()
            try:
                outcome = waiter.wait(job_ids)
                jobs, polls, timed_out = outcome.jobs, outcome.polls, False
            except mu.errors.WaitTimeout as exc:
                jobs, polls, timed_out = exc.result["jobs"], exc.result["polls"], True
            wall, emu_back = time.monotonic() - t0, server.emulator.now()
            after = control(ctl, env, "stats")
            log = control(ctl, env, "requests?since=%d" % before["total"])["requests"]
    finally:
        server.stop()

    wait_ops, trigger_ops = delta(before, after), delta(start, before)
    ends = [mu.filters.parse_azure_time(j.get("end_time")) for j in jobs if j.get("end_time")]
    last_end = max(ends + [emu_t0]) if ends else None  # a job that ended before the wait: from its start
    lag_azure = (emu_back - last_end).total_seconds() if last_end else float("nan")
    gets = wait_ops.get("JobDetails_Get", {}).get("count", 0)
    lists = wait_ops.get("BackupJobs_List", {}).get("count", 0)
    az_gets, az_back = az_job_wait_model(ends, emu_t0) if len(ends) == n else (float("nan"), None)
    tokens = [int(v) for v in remaining if v is not None]
    return {
        "n": n,
        "polls": polls,
        "wall": wall,
        "timed_out": timed_out,
        "trigger_s": trigger_s,
        "completed": sum(1 for j in jobs if j.get("status") == "Completed"),
        "gets": gets,
        "lists": lists,
        "reads": gets + lists,
        "later_per_poll": (gets + lists - n) / (polls - 1) if polls > 1 else float("nan"),
        "other_ops": {k: v["count"] for k, v in wait_ops.items() if k not in ("JobDetails_Get", "BackupJobs_List")},
        "peak": peak_reads_per_second(log),
        "min_tokens": min(tokens) if tokens else None,
        "w429": count_429(wait_ops),
        "t429": count_429(trigger_ops),
        "trigger_requests": sum(v["count"] for v in trigger_ops.values()),
        "lag_real": lag_azure / args.time_scale,
        "lag_azure": lag_azure,
        "naive": n * polls,
        "az_gets": az_gets,
        "az_lag": (az_back - last_end).total_seconds() if az_back else float("nan"),
    }


def machine():
    def out(cmd):
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()

    try:
        from ansible.release import __version__ as ansible_core
    except ImportError:  # pragma: no cover
        ansible_core = "not installed"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": out(["nproc"]),
        "python": platform.python_version(),
        "ansible_core": ansible_core,
        "uptime": out(["uptime"]),
    }


def render(rows, args, info, uptime_after, total_s):
    lines = [
        "# wait_many_jobs: waiting on N backup jobs with `_jobs.Waiter`",
        "",
        "- date: %s; machine: nproc %s, Python %s, ansible-core %s"
        % (info["date"], info["nproc"], info["python"], info["ansible_core"]),
        "- load before: `%s`" % info["uptime"],
        "- load after: `%s`" % uptime_after,
        "- command: `.venv/bin/python tests/benchmarks/wait_many_jobs.py --jobs %s --time-scale %g --poll-interval %g`"
        % (",".join(str(r["n"]) for r in rows), args.time_scale, args.poll_interval),
        "- time scale %g: poll interval %g s real = %g s of Azure time; ARM read budget %d tokens, +%d/s; "
        "whole run %.0f s"
        % (
            args.time_scale,
            args.poll_interval,
            args.poll_interval * args.time_scale,
            ARM_READ_BUDGET["capacity"],
            ARM_READ_BUDGET["refill_per_second"],
            total_s,
        ),
        "",
        "| N | jobs Completed | polls | wait wall (s) | JobDetails_Get | BackupJobs_List | ARM reads | "
        "reads/poll after 1st | peak reads/s | min read tokens left | 429 wait (trigger) | "
        "end noticed after: real s (Azure s) | naive N x polls GETs | az job wait: processes, GETs, lag Azure s |",
        "|" + "---|" * 14,
    ]
    for r in rows:
        lines.append(
            "| %d | %d%s | %d | %.1f | %d | %d | %d | %.1f | %d | %s | %d (%d) | %.2f (%.0f) | %d | %d, %s, %.0f |"
            % (
                r["n"],
                r["completed"],
                " TIMED OUT" if r["timed_out"] else "",
                r["polls"],
                r["wall"],
                r["gets"],
                r["lists"],
                r["reads"],
                r["later_per_poll"],
                r["peak"],
                r["min_tokens"],
                r["w429"],
                r["t429"],
                r["lag_real"],
                r["lag_azure"],
                r["naive"],
                r["n"],
                r["az_gets"],
                r["az_lag"],
            )
        )
    lines += [
        "",
        "Trigger phase (not part of the wait): "
        + "; ".join("N=%d %.1f s, %d ARM requests" % (r["n"], r["trigger_s"], r["trigger_requests"]) for r in rows),
    ]
    others = ["N=%d %s" % (r["n"], r["other_ops"]) for r in rows if r["other_ops"]]
    if others:
        lines.append("Other ARM operations during the wait: " + "; ".join(others))
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--jobs", default="5,25,100,200", help="comma-separated numbers of jobs (default %(default)s)")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=30.0,
        help="emulated seconds per real second (default %(default)s: a ~20 min backup lasts ~40 s)",
    )
    parser.add_argument("--poll-interval", type=float, default=1.0, help="Waiter poll interval, real seconds")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="markdown file to write (default %(default)s)")
    args = parser.parse_args(argv)
    for name in ("NO_PROXY", "no_proxy"):  # the emulator is on 127.0.0.1: never route it through a proxy
        os.environ[name] = ",".join(filter(None, [os.environ.get(name), "127.0.0.1", "localhost"]))
    info, began = machine(), time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-ac-") as tmp:
        mu = load_modules(tmp)
        rows = []
        for n in [int(x) for x in args.jobs.split(",") if x.strip()]:
            rows.append(run_one(mu, n, args))
            print(
                "N=%d done: %d polls, %.1f s, %d reads, %d x 429"
                % (n, rows[-1]["polls"], rows[-1]["wall"], rows[-1]["reads"], rows[-1]["w429"]),
                file=sys.stderr,
            )
    text = render(rows, args, info, machine()["uptime"], time.monotonic() - began)
    print(text)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
