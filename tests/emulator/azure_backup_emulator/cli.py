"""azure-backup-emulator serve | env"""

import argparse
import logging
import os
import signal
import sys

from .scenario import load_scenario


def build_parser():
    parser = argparse.ArgumentParser(
        prog="azure-backup-emulator", description="Offline Azure Backup (ARM + Entra ID) emulator"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTPS emulator until SIGTERM/SIGINT")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port (see DIR/url)")
    serve.add_argument("--workdir", required=True, help="where ca.pem, env.sh, env.json, pid, url go")
    serve.add_argument(
        "--time-scale", type=float, default=1.0, help="emulated seconds per real second (default 1 = real Azure timing)"
    )
    serve.add_argument("--scenario", help="JSON or YAML scenario file merged over the default")
    serve.add_argument("--verbose", action="store_true", help="log every request to stderr")
    env = sub.add_parser("env", help="print env.sh of a running emulator")
    env.add_argument("--workdir", required=True)
    env.add_argument("--json", action="store_true", help="print env.json instead")
    return parser


def serve(args):
    from .server import EmulatorServer

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(asctime)s %(name)s %(message)s"
    )
    if args.time_scale <= 0:
        print("--time-scale must be > 0", file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(args.scenario)
    except (OSError, ValueError, KeyError) as exc:
        print("cannot load scenario: %s" % exc, file=sys.stderr)
        return 2
    for stale in ("url", "pid"):
        try:
            os.remove(os.path.join(args.workdir, stale))
        except FileNotFoundError:
            pass
    server = EmulatorServer(host=args.host, port=args.port, scenario=scenario, time_scale=args.time_scale)

    def stop(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.write_workdir(args.workdir)
    print(
        "azure-backup-emulator listening on %s (time scale %g)" % (server.url, args.time_scale),
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        try:
            os.remove(os.path.join(args.workdir, "url"))
        except OSError:
            pass
    return 0


def print_env(args):
    name = "env.json" if args.json else "env.sh"
    path = os.path.join(args.workdir, name)
    try:
        with open(path, encoding="utf-8") as handle:
            sys.stdout.write(handle.read())
    except FileNotFoundError:
        print("%s not found: is the emulator running with --workdir %s?" % (path, args.workdir), file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return print_env(args)


if __name__ == "__main__":
    sys.exit(main())
