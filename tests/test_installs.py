"""`make run` installs the runtime packages only; the test and benchmark stack comes with `make test`."""
import re
import shutil
import subprocess

import pytest

from .support import ROOT

TEST_STACK = {"pytest", "pytest-xdist", "playwright", "locust"}


def _locked_packages(*flags: str) -> set[str]:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    exported = subprocess.run([uv, "export", "--locked", "--no-hashes", "--no-emit-project", *flags],
                              cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return {re.split(r"[=<>;\[ ]", line, maxsplit=1)[0].lower()
            for line in exported.splitlines() if line and not line.startswith(("#", " "))}


def test_runtime_install_leaves_out_the_test_and_benchmark_stack():
    runtime = _locked_packages("--no-dev")
    assert "flask" in runtime and "rq" in runtime
    assert not TEST_STACK & runtime


def test_make_run_installs_without_the_dev_group_and_make_test_with_it():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: install-runtime\b", makefile, re.M)
    assert re.search(r"uv sync --locked --no-dev", makefile)
    assert re.search(r"^test: install\b", makefile, re.M)
