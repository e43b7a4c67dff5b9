#!/usr/bin/env python3
"""Runs ClickHouse 26.7 (libchdb.so from the npm package @chdb/lib-linux-x64-gnu) as a
local server speaking ClickHouse's HTTP and native protocols.

libchdb.so is the clickhouse-local engine as a library. chdb_query_cmdline() takes
clickhouse-local's command line; we make it open the HTTP and TCP listeners and then
run a query that never ends, so the process serves clients until it gets SIGTERM.

Usage: chdb_server.py --lib LIBCHDB --path DATA_DIR [--host 127.0.0.1]
                      [--http-port 8123] [--tcp-port 9000]
Run it from an empty working directory: clickhouse-local maps the `default`
database onto the current directory. Standard library only.
"""
import argparse
import ctypes
import os
import signal
import sys
import threading

# Blocks for ~114 years: sleepEachRow(3600) over 1e6 one-row blocks, with the
# limits that would otherwise cancel it switched off.
BLOCKING_QUERY = (
    "SELECT sleepEachRow(3600) FROM numbers(1000000) SETTINGS max_block_size=1, "
    "function_sleep_max_microseconds_per_block=0, max_execution_time=0 FORMAT Null"
)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lib", required=True, help="path to libchdb.so")
    p.add_argument("--path", required=True, help="ClickHouse data directory")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--http-port", type=int, default=8123)
    p.add_argument("--tcp-port", type=int, default=9000)
    a = p.parse_args()

    os.makedirs(a.path, exist_ok=True)
    if os.listdir("."):
        print("chdb_server: run me from an empty directory", file=sys.stderr)
        return 2

    # Block TERM/INT in this thread before the engine starts its threads (they inherit
    # the mask), then wait for them in a helper thread. A Python signal handler would
    # never run: the main thread stays inside the C call for the process's lifetime.
    stop_signals = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)

    def wait_for_stop() -> None:
        sig = signal.sigwait(stop_signals)
        print(f"chdb_server: got {signal.Signals(sig).name}, exiting", file=sys.stderr, flush=True)
        # Inserted parts are already on disk when an INSERT returns; nothing to flush.
        os._exit(0)

    threading.Thread(target=wait_for_stop, name="signal-wait", daemon=True).start()

    lib = ctypes.CDLL(a.lib)
    lib.chdb_query_cmdline.restype = ctypes.c_void_p
    lib.chdb_query_cmdline.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    lib.chdb_result_error.restype = ctypes.c_char_p
    lib.chdb_result_error.argtypes = [ctypes.c_void_p]

    args = [
        "clickhouse",
        f"--path={os.path.abspath(a.path)}",
        f"--listen_host={a.host}",
        f"--http_port={a.http_port}",
        f"--tcp_port={a.tcp_port}",
        "--multiquery",
        "-q",
        f"SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; {BLOCKING_QUERY}",
    ]
    argv = (ctypes.c_char_p * len(args))(*[s.encode() for s in args])
    print(f"chdb_server: serving http://{a.host}:{a.http_port} tcp {a.host}:{a.tcp_port} "
          f"data {a.path} (pid {os.getpid()})", file=sys.stderr, flush=True)

    res = lib.chdb_query_cmdline(len(args), argv)
    # Only reached when the engine gave up (bad args, port taken, ...).
    err = lib.chdb_result_error(res) if res else None
    msg = err.decode(errors="replace") if err else "query ended"
    print(f"chdb_server: stopped: {msg}", file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
