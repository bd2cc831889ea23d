"""Run every benchmark listed in BENCHMARKS, one after the other."""
from __future__ import annotations

from importlib import import_module

# Each entry is a module with a main() that prints its table and writes it under bench/results/.
BENCHMARKS = [
    "bench.play_bench",
    "bench.reflection_bench",
    "bench.monitoring_bench",
    "bench.invite_import_bench",
    "bench.skills_bench",
    "bench.api_bench",
    "bench.outbound_bench",
    "bench.digest_bench",
    "bench.page_weight_bench",
]


def main() -> None:
    for name in BENCHMARKS:
        import_module(name).main()


if __name__ == "__main__":
    main()
