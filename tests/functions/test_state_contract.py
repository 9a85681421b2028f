"""The state and sent-mail ports behave the same on SQLite (the embedded default), in memory and
on Azure Table storage (Azurite)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.adapters.azure.storage import table_client
from shared.adapters.mail.sent_log import MemorySentLog, SqliteSentLog
from shared.adapters.mail.sent_log_azure import AzureTableSentLog
from shared.adapters.state.azure_state import AzureTableStateStore, row_key
from shared.adapters.state.sqlite_state import MemoryStateStore, SqliteStateStore
from shared.config import AzureStorageSettings
from shared.services.ports.mail import SentLog, SentMessage
from shared.services.ports.state import StateStore
from tests.functions.azurite import Azurite

AWKWARD_KEYS = [
    "change-token:Audit submissions",
    "effect:task/12/Discussion",
    "effect:mail/a#b?c\\d",
    "üñí/cødé",
    "x" * 2000,
]


def _tables(azurite: Azurite) -> AzureStorageSettings:
    return AzureStorageSettings(table_connection_string=azurite.connection_string)


@pytest.fixture(params=["memory", "sqlite", "azure"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    if request.param == "memory":
        yield MemoryStateStore()
    elif request.param == "sqlite":
        store = SqliteStateStore(tmp_path / "state.sqlite3")
        yield store
        store.close()
    else:
        azurite: Azurite = request.getfixturevalue("azurite")
        table = table_client(_tables(azurite), f"state{uuid.uuid4().hex[:12]}")
        azure_store = AzureTableStateStore(table)
        yield azure_store
        azure_store.close()


@pytest.fixture(params=["memory", "sqlite", "azure"])
def sent_log(request: pytest.FixtureRequest, tmp_path: Path) -> SentLog:
    if request.param == "memory":
        return MemorySentLog()
    if request.param == "sqlite":
        return SqliteSentLog(tmp_path / "sent.sqlite3")
    azurite: Azurite = request.getfixturevalue("azurite")
    return AzureTableSentLog(table_client(_tables(azurite), f"sent{uuid.uuid4().hex[:12]}"))


def test_a_key_never_stored_reads_as_none(state: StateStore) -> None:
    assert state.get("change-token:Allocations") is None


def test_a_stored_value_reads_back_and_a_second_put_replaces_it(state: StateStore) -> None:
    state.put("change-token:Allocations", "1;3;abc;100")
    assert state.get("change-token:Allocations") == "1;3;abc;100"
    state.put("change-token:Allocations", "1;3;abc;101")
    assert state.get("change-token:Allocations") == "1;3;abc;101"


@pytest.mark.parametrize("key", AWKWARD_KEYS, ids=range(len(AWKWARD_KEYS)))
def test_keys_with_slashes_hashes_unicode_or_great_length_keep_their_own_values(
    state: StateStore, key: str
) -> None:
    state.put(key, "done")
    state.put(key + "-other", "started")
    assert state.get(key) == "done"
    assert state.get(key + "-other") == "started"


def test_a_table_row_key_never_holds_the_characters_table_storage_refuses() -> None:
    for key in AWKWARD_KEYS:
        encoded = row_key(key)
        assert not set(encoded) & set("/\\#?"), key
        assert len(encoded) <= 512
    assert row_key("x" * 2000) != row_key("x" * 1999 + "y")


def _sent(key: str, message_id: str = "m-1") -> SentMessage:
    return SentMessage(
        idempotency_key=key,
        transport="outbox",
        message_id=message_id,
        location="outbox",
        sent_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC),
    )


def test_the_sent_log_finds_nothing_for_a_key_never_sent(sent_log: SentLog) -> None:
    assert sent_log.find("highlights-report/2026-11/slt") is None


def test_the_sent_log_returns_what_was_recorded_with_its_time_zone(sent_log: SentLog) -> None:
    sent_log.record(_sent("highlights-report/2026-11/slt"))
    assert sent_log.find("highlights-report/2026-11/slt") == _sent("highlights-report/2026-11/slt")


def test_a_resend_replaces_the_earlier_record(sent_log: SentLog) -> None:
    sent_log.record(_sent("allocation/12/auditor", "m-1"))
    sent_log.record(_sent("allocation/12/auditor", "m-2"))
    found = sent_log.find("allocation/12/auditor")
    assert found is not None
    assert found.message_id == "m-2"


def test_many_keys_are_claimed_at_once_and_a_key_claimed_before_is_not_claimed_again(
    state: StateStore,
) -> None:
    """Claims in bulk (one commit or one transaction): only the keys nobody held are won."""
    state.claim("effect:Tasks:b", "started")
    keys = [f"effect:Tasks:{name}" for name in ("a", "b", "c")] + [f"effect:Tasks:{n}" for n in range(150)]
    won = state.claim_many(keys, "started")
    assert won == set(keys) - {"effect:Tasks:b"}
    assert state.claim_many(keys, "started") == set()
    state.put_many(dict.fromkeys(keys, "done"))
    assert {state.get(key) for key in keys} == {"done"}
