"""The CSL processor test suite (``../shared/data/csl-test-suite``) through
refcli's public CSL interface: no fixture outside ``tests/csl_suite_failing.txt``
may fail, and a listed fixture that passes must leave the list.

The runner is ``benchmarks/csl_suite.py`` (also the benchmark that counts passes
per group).  Skipped when ``../shared`` is absent.
"""

from __future__ import annotations

import pytest
from benchmarks import csl_suite

PATHS = csl_suite.fixtures()
pytestmark = pytest.mark.skipif(not PATHS, reason="../shared/data/csl-test-suite is absent")


@pytest.fixture(scope="module")
def outcomes() -> dict[str, csl_suite.Outcome]:
    return {o.name: o for o in csl_suite.run(PATHS)}


def test_failing_list_is_well_formed() -> None:
    listed = csl_suite.read_failing()
    names = {p.stem for p in PATHS}
    unknown = sorted(set(listed) - names)
    assert not unknown, f"listed fixtures that do not exist: {unknown}"
    assert all(listed.values()), "every listed fixture needs a one-line reason"


def test_no_regression(outcomes: dict[str, csl_suite.Outcome]) -> None:
    listed = csl_suite.read_failing()
    regressed = {n: o.reason for n, o in outcomes.items() if not o.ok and n not in listed}
    assert not regressed, (
        f"{len(regressed)} fixture(s) now fail (run benchmarks/csl_suite.py -v NAME): {regressed}")


def test_passing_fixtures_leave_the_list(outcomes: dict[str, csl_suite.Outcome]) -> None:
    listed = csl_suite.read_failing()
    fixed = sorted(n for n, o in outcomes.items() if o.ok and n in listed)
    assert not fixed, (
        f"{len(fixed)} listed fixture(s) pass now; remove them from tests/csl_suite_failing.txt "
        f"(benchmarks/csl_suite.py --write-failing): {fixed}")


def test_comparison_rules() -> None:
    """The suite's own rules: newlines normalised, the whole result trimmed,
    ``&amp;`` read as ``&#38;``; nothing else forgiven."""
    assert csl_suite.normalise("\r\n a &amp; b\r\n") == "a &#38; b"
    assert csl_suite.normalise("a  b") != csl_suite.normalise("a b")


def test_fixture_parsing() -> None:
    fx = csl_suite.load(PATHS[0])
    assert fx.mode in ("citation", "bibliography")
    assert fx.csl.startswith("<") and isinstance(fx.items, list)
