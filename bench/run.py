"""Runs every benchmark in bench/ and prints its figures (each a ratio against a floor measured in the same run).

make bench                      # SQLite file under var/bench/, province scale
BENCH_DB=postgres make bench    # PostgreSQL database zhiben_bench on 127.0.0.1
make bench BENCH_ARGS="--scale city --only enterprise_list"
bench/run.py hazards --hazards 200000   # one benchmark, smaller register for a quick check
bench/run.py hazards --fresh            # reseed the register first (repeated runs on one register slow down)

A benchmark module that declares DATABASES = ("postgres",) always runs on PostgreSQL: when the run is on
SQLite it is started again in a child process with --db postgres.

Each benchmark's printed figures replace its section of docs/performance.md (bench/report.py; set
BENCH_NO_REPORT=1 for a trial run that should leave the document alone).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCHMARKS = ["enterprise_list", "hazards", "duties", "draw", "campaign", "monitoring"]


def configure(db: str) -> None:
    if db == "postgres":
        os.environ["DATABASE_URL"] = postgres_url()
    else:
        bench_dir = ROOT / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{bench_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiben.settings")
    os.environ["ZHIBEN_JOBS_IMMEDIATE"] = "1"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def postgres_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhiben_bench")


def ensure_database(db: str) -> None:
    if db == "postgres":
        import psycopg

        url = postgres_url()
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)", metavar="benchmark")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "sqlite"), choices=["sqlite", "postgres"])
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "province"))
    parser.add_argument("--only", action="append", default=None)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument(
        "--hazards", type=int, default=None, help="hazards in the register (default by scale)"
    )
    parser.add_argument("--transitions", type=int, default=500, help="transitions in the hazards benchmark")
    parser.add_argument("--verify-tally", action="store_true", help="check tally.diff() after loading")
    parser.add_argument(
        "--fresh", action="store_true", help="reseed the hazard register even when its count matches"
    )
    args = parser.parse_args()
    names = [*(args.names or []), *(args.only or [])] or BENCHMARKS
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    modules = {name: importlib.import_module(f"bench.bench_{name}") for name in names}
    elsewhere = [n for n, m in modules.items() if args.db not in getattr(m, "DATABASES", (args.db,))]
    here = [n for n in names if n not in elsewhere]
    if here:
        run_here(here, modules, args)
    for name in elsewhere:
        db = modules[name].DATABASES[0]
        print(f"# {name} runs on {db}: starting it with --db {db}\n", flush=True)
        child = [sys.executable, __file__, name, "--db", db, *_passed_options(args)]
        subprocess.run(child, check=True)  # noqa: S603 - this script, with its own options


def _passed_options(args: argparse.Namespace) -> list[str]:
    out = ["--scale", args.scale, "--requests", str(args.requests), "--transitions", str(args.transitions)]
    if args.hazards is not None:
        out += ["--hazards", str(args.hazards)]
    if args.verify_tally:
        out.append("--verify-tally")
    if args.fresh:
        out.append("--fresh")
    return out


def run_here(names: list[str], modules: dict[str, object], args: argparse.Namespace) -> None:
    ensure_database(args.db)
    configure(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", scale=args.scale, seed=1)
    print(f"# data ready ({args.scale}, {args.db}) in {time.perf_counter() - started:.1f} s\n")
    options = {
        "requests": args.requests,
        "db": args.db,
        "scale": args.scale,
        "hazards": args.hazards,
        "transitions": args.transitions,
        "verify_tally": args.verify_tally,
        "fresh": args.fresh,
    }
    from bench.report import section

    for name in names:
        run = modules[name].run  # type: ignore[attr-defined]
        accepted = inspect.signature(run).parameters
        with section(name, f"`{name}`", database=args.db, scale=args.scale, hazards=args.hazards):
            run(**{k: v for k, v in options.items() if k in accepted})


if __name__ == "__main__":
    main()
