"""`make load`: a working day against the platform as it is deployed, started by this script on 127.0.0.1.

    make load                                  # 100 users for 10 minutes on PostgreSQL (zhiben_load)
    make load LOAD_ARGS="--users 50 --minutes 3"
    bench/load/run.py --smoke                  # 20 users for one minute on the database `make test` uses

What it starts, in order: a database with the demo district (PostgreSQL `zhiben_load` on 127.0.0.1, or with
`--smoke` a database next to the one in DATABASE_URL; seeded once and kept between runs of the full test), the
worker (`run_huey`, on Redis when Redis answers) and gunicorn (4 processes × 4 threads, keep-alive 75 s, the app preloaded), then
locust headless with bench/load/locustfile.py (the users sign in over the first minute, as a working day's
morning starts; the smoke's over 10 seconds). It prints each request type's count, errors and p50/p95/p99,
with p95 as a multiple of `/healthz`'s p95 (the floor: the same server and network doing no work), and exits 1
when any request failed, or (full run only) when a p95 reaches one second.
"""

# ruff: noqa: S603, S607, S310 - it starts this checkout's own programs and fetches only its own 127.0.0.1 URL
from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
GOAL_P95_MS = 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def database_url(smoke: bool) -> str:
    """The load database: PostgreSQL by default; with --smoke, beside the database `make test` uses."""
    base = os.environ.get("DATABASE_URL", "")
    if smoke and not base.startswith("postgres"):
        path = ROOT / "var" / "load-smoke" / "zhiben.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    server = base.rsplit("/", 1)[0] if base.startswith("postgres") else "postgres://postgres@127.0.0.1:5432"
    return f"{server}/{'zhiben_load_smoke' if smoke else 'zhiben_load'}"


def ensure_postgres_database(url: str, *, fresh: bool) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def environment(url: str, var_dir: Path, redis: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DATABASE_URL": url,
            "ZHIBEN_VAR_DIR": str(var_dir),
            "ZHIBEN_ENV": "development",
            "ZHIBEN_DEMO": "1",
            "ZHIBEN_TESTING": "0",
            "ZHIBEN_TRUSTED_PROXIES": "127.0.0.1",  # the scenario's visitors come "through the proxy"
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    if redis:
        env["ZHIBEN_REDIS_URL"] = "redis://127.0.0.1:6379/7"
    return env


def prepare(env: dict[str, str], *, enterprises: int | None) -> float:
    started = time.monotonic()
    for args in (["migrate", "--noinput"], ["load_reference"]):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    seed = [PY, "manage.py", "seed_demo", "--scale", "district", "--seed", "1"]
    if enterprises:
        seed += ["--enterprises", str(enterprises)]
    subprocess.run(seed, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"服务未在 {seconds:.0f} 秒内就绪：{url}")


def start_servers(env: dict[str, str], port: int, log_dir: Path) -> list[subprocess.Popen[bytes]]:
    web = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "zhiben.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--threads",
            "4",
            "--keep-alive",
            "75",
            "--preload",  # the app (and its URL resolver, zhiben/wsgi.py) loaded once, before the fork
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=(log_dir / "web.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [PY, "manage.py", "run_huey", "--workers", "2", "--worker-type", "thread", "--quiet"],
        cwd=ROOT,
        env=env,
        stdout=(log_dir / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return [web, worker]


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for p in processes:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def run_locust(
    host: str, users: int, seconds: int, prefix: Path, env: dict[str, str], *, arrival: int = 60
) -> None:
    """`arrival`: the seconds over which the users sign in (a working day's morning: one every 0.6 s for 100
    users; the smoke, a minute long, lets its 20 in over 10 s)."""
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "load" / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "-u",
            str(users),
            "-r",
            f"{max(users / arrival, 1 / arrival):.3f}",
            "-t",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def report(
    rows: list[dict[str, str]], *, users: int, seconds: int, full: bool, load: str
) -> tuple[str, bool]:
    by_name = {r["Name"]: r for r in rows}
    floor = float(by_name.get("/healthz", {}).get("95%") or 0) or 1.0
    lines = [
        f"负载：{users} 个并发用户，{seconds // 60} 分 {seconds % 60} 秒；开始前平均负载 {load}",
        "",
        "| 请求 | 次数 | 错误 | p50 ms | p95 ms | p99 ms | p95 ÷ /healthz p95 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    ok = True
    for r in rows:
        if r["Name"] == "Aggregated":
            continue
        p95 = float(r["95%"] or 0)
        failures = int(r["Failure Count"])
        ok &= failures == 0 and (not full or p95 < GOAL_P95_MS)
        lines.append(
            f"| {r['Type']} {r['Name']} | {r['Request Count']} | {failures} | {r['50%']} | {r['95%']} | "
            f"{r['99%']} | {p95 / floor:.1f}× |"
        )
    total = by_name.get("Aggregated", {})
    lines += [
        "",
        f"合计 {total.get('Request Count', 0)} 次请求，错误 {total.get('Failure Count', 0)} 次，"
        f"{float(total.get('Requests/s') or 0):.1f} 次/秒，p95 {total.get('95%', '—')} ms；"
        f"目标：0 错误{'、每类 p95 < 1 秒' if full else ''}。",
    ]
    return "\n".join(lines), ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--smoke", action="store_true", help="20 个用户 1 分钟，小规模演示数据（make test 调用）"
    )
    parser.add_argument("--users", type=int)
    parser.add_argument("--minutes", type=float)
    args = parser.parse_args()
    users = args.users or (20 if args.smoke else 100)
    seconds = int((args.minutes or (1 if args.smoke else 10)) * 60)

    url = database_url(args.smoke)
    var_dir = ROOT / "var" / ("load-smoke" if args.smoke else "load")
    if args.smoke:
        shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgres"):
        ensure_postgres_database(url, fresh=args.smoke)
    redis = redis_answers()
    env = environment(url, var_dir, redis)
    if redis:
        subprocess.run(["redis-cli", "-n", "7", "flushdb"], check=False, stdout=subprocess.DEVNULL)
    print(
        f"== 负载测试：数据库 {url.split('://')[0]}，任务队列 {'Redis' if redis else 'SQLite'} ==", flush=True
    )
    took = prepare(env, enterprises=40 if args.smoke else None)
    print(f"== 准备数据库与演示数据：{took:.0f} 秒 ==", flush=True)

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    processes = start_servers(env, port, var_dir)
    try:
        wait_for(f"{host}/healthz")
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        started = time.monotonic()
        run_locust(host, users, seconds, var_dir / "locust", env, arrival=10 if args.smoke else 60)
        print(f"== 负载运行：{time.monotonic() - started:.0f} 秒 ==", flush=True)
    finally:
        stop(processes)
    text, ok = report(
        read_stats(var_dir / "locust"), users=users, seconds=seconds, full=not args.smoke, load=load
    )
    (var_dir / "report.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    if not args.smoke and not os.environ.get("BENCH_NO_REPORT"):  # the full run's table goes in the document
        sys.path.insert(0, str(ROOT))
        from bench.report import write_section

        when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(time.time() + 8 * 3600))
        write_section(
            "load",
            f"## `make load` ({users} users, {seconds // 60} minutes, {url.split('://')[0]})\n\n"
            f"Run {when} (Beijing time) on {os.cpu_count()} cores.\n\n{text}\n",
        )
    for log in ("web.log", "worker.log"):
        body = (var_dir / log).read_text(encoding="utf-8", errors="replace")
        if "Traceback" in body:
            ok = False
            print(f"\n{log} 中有异常：\n{body[-3000:]}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
