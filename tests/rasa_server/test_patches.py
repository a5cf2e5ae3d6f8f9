"""The patch table (bot/rasa_server/patches): every target still exists in the pinned Rasa and
is exactly the code the patch was reviewed for, so a Rasa upgrade that moves or changes one
fails here instead of silently dropping a speed-up or a safety net."""

from __future__ import annotations

import dataclasses
import re

import pytest

from bot import paths
from bot.rasa_server import patches
from bot.rasa_server.patches import PATCHES, Patch, PatchError


def test_the_pinned_rasa_is_the_one_the_requirements_install():
    import rasa

    pinned = re.search(r"^rasa==(\S+)$", (paths.ROOT / "requirements.txt").read_text(), re.M)
    assert pinned and pinned.group(1) == patches.PINNED_RASA == rasa.__version__


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.target)
def test_each_target_exists_and_is_the_reviewed_code(patch):
    assert patches.source_hash(patches.original(patch)) == patch.source_sha256, (
        f"{patch.target} changed in Rasa: review the patch, then record the new hash "
        "(python -m bot.rasa_server.patches)"
    )


def test_targets_are_unique_and_every_patch_says_why():
    targets = [p.target for p in PATCHES]
    assert len(set(targets)) == len(targets)
    assert all(len(p.why) > 20 for p in PATCHES)


def test_install_all_replaces_every_target_once():
    patches.install_all()
    for patch in PATCHES:
        assert patches.is_installed(patch), patch.target
    owner_values = [patches._owner_and_name(p) for p in PATCHES]
    before = [getattr(owner, name) for owner, name in owner_values]
    patches.install_all()  # idempotent: nothing is wrapped twice
    assert [getattr(owner, name) for owner, name in owner_values] == before


def test_the_installed_replacements_are_the_ones_rasa_calls():
    from rasa.core import processor
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent

    from bot.rasa_server.patches.speedups import SequentialGraphRunner

    patches.install_all()
    assert processor.DaskGraphRunner is SequentialGraphRunner
    assert getattr(RemoteAction.run, patches.MARK) == "rasa.core.actions.action.RemoteAction.run"
    assert getattr(Agent._create_tracker_store, patches.MARK).endswith("_create_tracker_store")


def test_a_changed_target_is_refused_before_anything_is_installed(monkeypatch):
    changed = dataclasses.replace(PATCHES[-1], source_sha256="0" * 16)
    monkeypatch.setattr(patches, "PATCHES", (*PATCHES[:-1], changed))
    with pytest.raises(PatchError, match="changed upstream"):
        patches.install_all()
    with pytest.raises(PatchError, match=re.escape(changed.target)):
        patches.check(changed)


def test_a_missing_target_is_refused():
    missing = Patch("rasa.core.agent", "Agent.no_such_method", lambda o: o, "why " * 10, "0" * 16)
    with pytest.raises(PatchError, match="not found"):
        patches.install(missing)
    gone_module = dataclasses.replace(missing, module="rasa.no_such_module")
    with pytest.raises(PatchError, match="not found"):
        patches.check(gone_module)


def test_another_rasa_version_is_refused(monkeypatch):
    import rasa

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(PatchError, match=re.escape("3.7.0")):
        patches.install_all()
