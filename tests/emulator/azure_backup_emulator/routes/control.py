"""The control API under /_emulator/ (no auth, JSON): stats, request log, faults, time, reset,
federated tokens."""

from flask import request

from .. import resources
from ..auth import REVOCATION_CODES
from ..faults import FaultError
from ..scenario import load_scenario
from ..timefmt import iso
from .common import base_url, emu, json_response

PREFIX = "/_emulator"


def register(app):
    def add(rule, operation_id, view, method):
        app.add_url_rule(PREFIX + rule, endpoint=operation_id, view_func=view, methods=[method])

    add("/stats", "Emulator_Stats", stats, "GET")
    add("/requests", "Emulator_Requests", requests_log, "GET")
    add("/reset", "Emulator_Reset", reset, "POST")
    add("/faults", "Emulator_Faults_Add", add_fault, "POST")
    add("/faults", "Emulator_Faults_List", list_faults, "GET")
    add("/faults", "Emulator_Faults_Clear", clear_faults, "DELETE")
    add("/tokens/expire", "Emulator_Tokens_Expire", expire_tokens, "POST")
    add("/federated-token", "Emulator_Federated_Token", federated_token, "POST")
    add("/time", "Emulator_Time", get_time, "GET")
    add("/time/advance", "Emulator_Time_Advance", advance_time, "POST")
    add("/time/scale", "Emulator_Time_Scale", set_time_scale, "POST")
    add("/throttling", "Emulator_Throttling_Get", get_throttling, "GET")
    add("/throttling", "Emulator_Throttling_Set", set_throttling, "POST")
    add("/scenario", "Emulator_Scenario_Get", get_scenario, "GET")
    add("/scenario", "Emulator_Scenario_Load", load_new_scenario, "POST")
    add("/state", "Emulator_State", get_state, "GET")
    add("/resources", "Emulator_Resources", list_resources, "GET")


def _body():
    data = request.get_json(silent=True, force=True)
    return data if isinstance(data, dict) else {}


def _bad(message):
    return json_response({"error": {"code": "BadRequest", "message": message}}, 400)


def stats():
    return json_response(emu().log.stats())


def requests_log():
    try:
        since = int(request.args.get("since", 0))
    except ValueError:
        return _bad("since must be an integer")
    entries = emu().log.entries(since=since, operation=request.args.get("operation"), method=request.args.get("method"))
    return json_response({"requests": entries, "last_seq": entries[-1]["seq"] if entries else since})


def reset():
    emu().reset()
    return json_response({"reset": True})


def add_fault():
    try:
        fault = emu().faults.add(_body())
    except (FaultError, ValueError, TypeError) as exc:
        return _bad(str(exc))
    return json_response({"id": fault.id, "fault": fault.to_dict()}, 201)


def list_faults():
    return json_response({"faults": emu().faults.list()})


def clear_faults():
    emu().faults.clear()
    return json_response({"cleared": True})


def expire_tokens():
    code = _body().get("code", REVOCATION_CODES[0])
    if code not in REVOCATION_CODES:
        return _bad("code must be one of %s" % ", ".join(REVOCATION_CODES))
    return json_response({"expired": emu().tokens.expire_all(code), "code": code})


def federated_token():
    """A token of the emulator's OIDC issuer for workload identity federation. Body (optional):
    {"subject", "expires_in" (seconds, default 3600; <= 0: already expired), "issuer", "audience"}."""
    data = _body()
    try:
        expires_in = data.get("expires_in", 3600)
        if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)):
            raise ValueError
    except ValueError:
        return _bad("expires_in must be a number of seconds")
    for key in ("subject", "issuer", "audience"):
        if data.get(key) is not None and (not isinstance(data[key], str) or not data[key]):
            return _bad("%s must be a non-empty string" % key)
    token, claims = emu().tokens.federated_token(
        base_url(),
        subject=data.get("subject"),
        expires_in=expires_in,
        issuer=data.get("issuer"),
        audience=data.get("audience"),
    )
    return json_response(
        {
            "token": token,
            "issuer": claims["iss"],
            "subject": claims["sub"],
            "audience": claims["aud"][0],
            "expires_on": claims["exp"],
        }
    )


def _time_body():
    e = emu()
    return {"now": iso(e.now()), "time_scale": e.clock.scale}


def get_time():
    return json_response(_time_body())


def advance_time():
    data = _body()
    try:
        seconds = float(data.get("seconds", 0))
        if seconds < 0:
            raise ValueError
    except (TypeError, ValueError):
        return _bad("seconds must be a number >= 0")
    e = emu()
    with e.lock:
        e.clock.advance(seconds)
        e.settled_now()
    return json_response(_time_body())


def set_time_scale():
    try:
        scale = float(_body().get("scale"))
        if scale <= 0:
            raise ValueError
    except (TypeError, ValueError):
        return _bad("scale must be a number > 0 (emulated seconds per real second)")
    e = emu()
    with e.lock:
        e.settled_now()
        e.clock.set_scale(scale)
    return json_response(_time_body())


def get_throttling():
    return json_response(emu().throttler.config)


def set_throttling():
    e = emu()
    try:
        config = e.throttler.configure(_body())
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    e.scenario["throttling"] = config
    return json_response(config)


def get_scenario():
    scenario = dict(emu().scenario)
    scenario["client_secret"] = "***"
    scenario["users"] = [dict(user, password="***") for user in scenario.get("users") or []]
    return json_response(scenario)


def load_new_scenario():
    try:
        scenario = load_scenario(data=_body())
    except (ValueError, KeyError, TypeError) as exc:
        return _bad("invalid scenario: %s" % exc)
    emu().reset(scenario)
    return json_response({"loaded": True})


def get_state():
    e = emu()
    with e.lock:
        now = e.settled_now()
        state = e.state
        items = [
            {
                "name": i.vm.item_name,
                "container": i.vm.container_name,
                "vm": i.vm.name,
                "policy": i.policy_name,
                "protection_state": i.protection_state,
                "health_status": i.health_status,
                "last_backup_status": i.last_backup_status,
                "last_backup_time": iso(i.last_backup_time),
                "recovery_points": len(i.recovery_points),
            }
            for i in sorted(state.items.values(), key=lambda i: i.key)
        ]
        jobs = [
            {
                "job_id": j.job_id,
                "operation": j.operation,
                "entity": j.entity_friendly_name,
                "status": j.status(now),
                "start": iso(j.start),
                "end": iso(j.planned_end()),
            }
            for j in state.sorted_jobs()
        ]
        operations = [
            {
                "id": o.op_id,
                "purpose": o.purpose,
                "scope": o.scope,
                "status": o.status(now),
                "job_id": o.job_id,
            }
            for o in state.operations.values()
        ]
        return json_response(
            {
                "now": iso(now),
                "time_scale": e.clock.scale,
                "vault": state.vault_path,
                "items": items,
                "jobs": jobs,
                "operations": operations,
                "vms": sorted(v.name for v in state.vms.values()),
                "resources": len(state.arm.live()),
            }
        )


def list_resources():
    """Every resource a restore created, deleted ones included (state Deleted), oldest first. Query filters
    (case-insensitive, all optional): job_id, state, type, resource_group."""
    e = emu()
    wanted = {key: request.args.get(key) for key in ("job_id", "state", "type", "resource_group")}
    with e.lock:
        e.settled_now()
        rows = [
            resources.control_entry(r) for r in sorted(e.state.arm.resources.values(), key=lambda r: (r.created, r.key))
        ]
    for key, value in wanted.items():
        if value:
            rows = [row for row in rows if str(row.get(key) or "").lower() == value.lower()]
    return json_response({"resources": rows})
