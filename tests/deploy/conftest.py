"""A "deploy" section at the end of the pytest run: what the build tests measured (sizes, headroom)."""

from __future__ import annotations

import pytest

REPORT = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def deploy_report(request: pytest.FixtureRequest) -> list[str]:
    """Lines to print after the run (make test's output shows them whatever pytest captured)."""
    return request.config.stash.setdefault(REPORT, [])


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(REPORT, [])
    if lines:
        terminalreporter.section("deploy")
        for line in lines:
            terminalreporter.write_line(line)
