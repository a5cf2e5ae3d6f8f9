"""How Rasa creates the tracker store named in endpoints.yml, made strict.

- Rasa turns a tracker store class that fails to import (or whose constructor raises
  AttributeError or ImportError) into an in-memory store with only a warning: every
  conversation would then be lost at the next restart, silently. Here the error stops the
  server at start-up instead, naming the class and the cause.
- Rasa wraps every tracker store in `FailSafeTrackerStore`, which on a database error answers
  from an empty in-memory tracker. Our durable store retries and then fails loudly instead
  (bot/rasa_server/tracker_store.py), so it is used unwrapped.
"""

from __future__ import annotations

from typing import Any, Callable

import rasa.shared.utils.common
from rasa.core.tracker_store import TrackerStore
from rasa.shared.exceptions import RasaException


class StoreNotLoadable(RasaException):
    """The store named in endpoints.yml could not be imported or created."""


def load_store_or_fail(original: Any) -> Callable[..., TrackerStore]:
    """rasa.core.tracker_store._load_from_module_name_in_endpoint_config without the fallback."""

    def load_from_module_name(domain: Any, store: Any, event_broker: Any = None) -> TrackerStore:
        try:
            store_class = rasa.shared.utils.common.class_from_module_path(store.type)
        except (AttributeError, ImportError) as error:
            raise StoreNotLoadable(
                f"tracker_store.type {store.type!r} in endpoints.yml cannot be imported: {error}"
            ) from error
        try:
            return store_class(
                host=store.url, domain=domain, event_broker=event_broker, **store.kwargs
            )
        except Exception as error:
            raise StoreNotLoadable(
                f"tracker store {store.type} could not be created: {type(error).__name__}: {error}"
            ) from error

    return load_from_module_name


def durable_store_unwrapped(original: Callable[..., TrackerStore]) -> Callable[..., TrackerStore]:
    """Agent._create_tracker_store that leaves our durable store as it is."""
    from bot.rasa_server.tracker_store import DurableSQLTrackerStore

    def create_tracker_store(store: TrackerStore | None, domain: Any) -> TrackerStore:
        if isinstance(store, DurableSQLTrackerStore):
            store.domain = domain
            return store
        return original(store, domain)

    return create_tracker_store
