"""tests/system.py: a missing system component skips a developer's test but fails a CI run."""

from __future__ import annotations

import re

import pytest

from tests import system


@pytest.mark.parametrize("ci", ["true", "1"])
def test_in_ci_a_missing_component_fails_instead_of_skipping(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI must not skip: PostgreSQL"):
        system.missing("PostgreSQL")
    with pytest.raises(pytest.fail.Exception, match="no-such-server"):
        system.binary("no-such-server")


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_on_a_developers_machine_it_skips_with_how_to_install(monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match=re.escape("system-deps.sh installs it")):
        system.binary("no-such-server")


def test_a_present_binary_is_found():
    assert system.binary("sh").endswith("/sh")
