"""Every change this project makes to Rasa's own code, in one checked table.

Rasa loads our channels, NLU components and stores by class path; the changes below have no
such hook in Rasa 3.6, so they replace one attribute each. `install_all()` (called by the
launcher, bot/rasa_server/launch.py, before Rasa starts) refuses to run on any Rasa but the
pinned one, and before replacing a target checks that it is still exactly Rasa's code: the
SHA-256 of its source must match the one recorded here. A Rasa upgrade that moves, renames or
changes a target therefore stops the server (and tests/rasa_server/test_patches.py fails the
build) instead of silently dropping a speed-up or a safety net. To review a changed target,
read the new upstream code, adapt the replacement, then record the new hash
(`python -m bot.rasa_server.patches`).

The order is the table's; no two entries touch the same attribute.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Callable

from bot.rasa_server.patches import action_timeout, speedups, store_loading

PINNED_RASA = "3.6.21"
MARK = "_beu_patch"


class PatchError(RuntimeError):
    """A patch target is missing or is no longer the code the patch was written for."""


@dataclass(frozen=True)
class Patch:
    module: str
    attribute: str  # dotted inside the module: "Class.method" or "function"
    replace: Callable[[Any], Any]  # Rasa's original -> what takes its place
    why: str
    source_sha256: str  # first 16 hex digits of the SHA-256 of the original's source

    @property
    def target(self) -> str:
        return f"{self.module}.{self.attribute}"


PATCHES: tuple[Patch, ...] = (
    Patch(
        "rasa.core.actions.action",
        "RemoteAction._validate_action_result",
        speedups.validated_once,
        "jsonschema re-checked the large events schema itself for every action response: 69% "
        "of the server's CPU; the validator is compiled once",
        "f8cdb4be68123961",
    ),
    Patch(
        "rasa.shared.core.events",
        "Event.resolve_by_type",
        speedups.cached_resolve_by_type,
        "it walked the Event class tree for every event deserialised",
        "b5cf570fa7f286c7",
    ),
    Patch(
        "rasa.core.processor",
        "DaskGraphRunner",
        speedups.sequential_runner,
        "dask rebuilt the minimal graph and a task graph for every NLU and policy run; serving "
        "runs the same nodes in dependency order (training keeps dask)",
        "78a7d146c5c06d4c",
    ),
    Patch(
        "rasa.core.actions.action",
        "RemoteAction.run",
        action_timeout.apologising,
        "a failed or slow action server made stock Rasa wait up to 300 s and answer nothing",
        "ccabf6f1160d527a",
    ),
    Patch(
        "rasa.core.agent",
        "Agent._create_tracker_store",
        store_loading.durable_store_unwrapped,
        "FailSafeTrackerStore answers from an empty in-memory tracker on a database error; "
        "our store retries, then fails loudly",
        "97499b594b45581b",
    ),
    Patch(
        "rasa.core.tracker_store",
        "_load_from_module_name_in_endpoint_config",
        store_loading.load_store_or_fail,
        "a tracker store class that fails to import became an in-memory store with a warning",
        "ffd9d0b30fd73ea8",
    ),
)

_originals: dict[str, Any] = {}


def source_hash(value: Any) -> str:
    return hashlib.sha256(inspect.getsource(value).encode()).hexdigest()[:16]


def _owner_and_name(patch: Patch) -> tuple[Any, str]:
    try:
        owner: Any = importlib.import_module(patch.module)
        *path, name = patch.attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
    except (ImportError, AttributeError) as error:
        raise PatchError(f"{patch.target}: not found in this Rasa ({error})") from error
    if not hasattr(owner, name):
        raise PatchError(f"{patch.target}: not found in this Rasa")
    return owner, name


def original(patch: Patch) -> Any:
    """Rasa's own value of the target, whether or not the patch is installed."""
    owner, name = _owner_and_name(patch)
    current = getattr(owner, name)
    if getattr(current, MARK, None) == patch.target:
        return _originals[patch.target]
    return current


def is_installed(patch: Patch) -> bool:
    owner, name = _owner_and_name(patch)
    return getattr(getattr(owner, name), MARK, None) == patch.target


def check(patch: Patch) -> Any:
    """Rasa's original of the target, or PatchError when it is not the reviewed code."""
    value = original(patch)
    found = source_hash(value)
    if found != patch.source_sha256:
        raise PatchError(
            f"{patch.target} changed upstream (source hash {found}, reviewed "
            f"{patch.source_sha256}): review the patch ({patch.why}) before using this Rasa"
        )
    return value


def check_version() -> None:
    import rasa

    if rasa.__version__ != PINNED_RASA:
        raise PatchError(
            f"Rasa {rasa.__version__} is installed; the patches were reviewed for {PINNED_RASA}"
        )


def install(patch: Patch) -> None:
    if is_installed(patch):
        return
    owner, name = _owner_and_name(patch)
    rasa_value = check(patch)
    replacement = patch.replace(rasa_value)
    setattr(replacement, MARK, patch.target)
    _originals[patch.target] = rasa_value
    static = isinstance(inspect.getattr_static(owner, name), staticmethod)
    setattr(owner, name, staticmethod(replacement) if static else replacement)


def install_all() -> None:
    """Check the Rasa version and every target, then install the table (idempotent)."""
    check_version()
    for patch in PATCHES:
        check(patch)  # all checked before any is installed: never half-patched
    for patch in PATCHES:
        install(patch)


if __name__ == "__main__":
    for patch in PATCHES:
        print(f"{patch.target}: {source_hash(original(patch))} (recorded {patch.source_sha256})")
