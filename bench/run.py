"""Runs every benchmark in bench/ and prints its figures (each a ratio against a floor measured in the same run).

make bench                      # SQLite file under var/bench/, province scale
BENCH_DB=postgres make bench    # PostgreSQL database zhiben_bench on 127.0.0.1
make bench BENCH_ARGS="--scale city --only enterprise_list"
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCHMARKS = ["enterprise_list"]


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
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "sqlite"), choices=["sqlite", "postgres"])
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "province"))
    parser.add_argument("--only", action="append", default=None)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    ensure_database(args.db)
    configure(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", scale=args.scale, seed=1)
    print(f"# data ready ({args.scale}, {args.db}) in {time.perf_counter() - started:.1f} s\n")
    for name in args.only or BENCHMARKS:
        module = importlib.import_module(f"bench.bench_{name}")
        module.run(requests=args.requests, db=args.db)


if __name__ == "__main__":
    main()
