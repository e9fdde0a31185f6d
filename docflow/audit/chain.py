"""The hash chain of each agency's audit events: what is hashed, and how a chain is checked.

Event n of an agency stores ``prev_hash`` (event n−1's ``hash``, 64 zeros for the first) and
``hash = sha256(prev_hash + "\\n" + canonical(event))``, where ``canonical`` is the JSON of the
fields that say what happened — agency, sequence, id, time, actor, action, object, states,
data — with sorted keys and no spaces. Editing any of them, deleting an event or swapping two
breaks the link at that event; the agency's head row (``AuditChainHead``) holds the last
sequence and hash, so deleting the newest events is seen too. Pure functions: no database.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

GENESIS = "0" * 64


def _uuid(value) -> str:
    return str(value if isinstance(value, UUID) else UUID(str(value)))


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def json_normal(data: Any) -> Any:
    """``data`` as it comes back from a JSON column (tuples as lists, keys as text)."""
    return json.loads(json.dumps(data))


def canonical(*, agency_id: int, sequence: int, event_id, created_at: datetime, actor_id: int | None,
              actor_label: str, action: str, object_type: str, object_id, state_before: str,
              state_after: str, data: Any, normalized: bool = False) -> bytes:
    """The bytes an event's hash covers; ``normalized``: ``data`` is already ``json_normal``."""
    row = {
        "agency": agency_id, "sequence": sequence, "id": _uuid(event_id), "created_at": _time(created_at),
        "actor": actor_id, "actor_label": actor_label, "action": action, "object_type": object_type,
        "object_id": _uuid(object_id), "state_before": state_before, "state_after": state_after,
        "data": data if normalized else json_normal(data),
    }
    return _dumps(row).encode()


class CanonicalWriter:
    """``canonical`` for many events, byte for byte the same: a fan-out's events share their
    action, label, states, time and data, so each distinct value is encoded to JSON once and
    each event's bytes are joined from the pieces, in ``canonical``'s sorted key order.
    ``data`` must be normalized already (``json_normal``), as ``canonical(normalized=True)``."""

    def __init__(self) -> None:
        self._texts: dict[Any, str] = {}
        self._datas: dict[int, tuple[Any, str]] = {}  # by id: the dict kept, so its id stays its own

    def _text(self, value: Any) -> str:
        if value not in self._texts:
            self._texts[value] = _dumps(value)
        return self._texts[value]

    def _data(self, data: Any) -> str:
        if id(data) not in self._datas:
            self._datas[id(data)] = (data, _dumps(data))
        return self._datas[id(data)][1]

    def __call__(self, *, agency_id: int, sequence: int, event_id, created_at: datetime, actor_id: int | None,
                 actor_label: str, action: str, object_type: str, object_id, state_before: str,
                 state_after: str, data: Any) -> bytes:
        text = self._text
        return "".join((
            '{"action":', text(action), ',"actor":', "null" if actor_id is None else str(int(actor_id)),
            ',"actor_label":', text(actor_label), ',"agency":', str(int(agency_id)),
            ',"created_at":', text(_time(created_at)), ',"data":', self._data(data),
            ',"id":"', _uuid(event_id), '","object_id":"', _uuid(object_id),
            '","object_type":', text(object_type), ',"sequence":', str(int(sequence)),
            ',"state_after":', text(state_after), ',"state_before":', text(state_before), "}",
        )).encode()


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(prev_hash: str, row: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + row).hexdigest()


def event_canonical(event, *, normalized: bool = False) -> bytes:
    """``canonical`` of a stored ``AuditEvent`` (or anything with its attributes)."""
    return canonical(
        agency_id=event.agency_id, sequence=event.sequence, event_id=event.id, created_at=event.created_at,
        actor_id=event.actor_id, actor_label=event.actor_label, action=event.action,
        object_type=event.object_type, object_id=event.object_id, state_before=event.state_before,
        state_after=event.state_after, data=event.data, normalized=normalized,
    )


def event_hash(event, prev_hash: str, *, normalized: bool = False) -> str:
    return link_hash(prev_hash, event_canonical(event, normalized=normalized))


class Broken(Exception):
    """The first event where a chain does not hold."""

    def __init__(self, *, agency_id: int, sequence: int | None, event_id, reason: str):
        self.agency_id, self.sequence, self.event_id, self.reason = agency_id, sequence, event_id, reason
        super().__init__(f"agency {agency_id}, event #{sequence} ({event_id}): {reason}")


def chain_check(events, *, agency_id: int, head_sequence: int | None, head_hash: str | None) -> int:
    """Walk ``events`` (in sequence order) and raise ``Broken`` at the first that does not link;
    returns how many were checked."""
    expected, prev, count = 1, GENESIS, 0
    for event in events:
        count += 1
        if event.sequence != expected:
            reason = (f"sequence {event.sequence} where {expected} was expected"
                      f" ({'an event is missing' if event.sequence > expected else 'order changed'})")
            raise Broken(agency_id=agency_id, sequence=event.sequence, event_id=event.id, reason=reason)
        if event.prev_hash != prev:
            raise Broken(agency_id=agency_id, sequence=event.sequence, event_id=event.id,
                         reason="prev_hash is not the previous event's hash (deleted or reordered)")
        if event_hash(event, prev) != event.hash:
            raise Broken(agency_id=agency_id, sequence=event.sequence, event_id=event.id,
                         reason="content does not match its hash (edited)")
        prev, expected = event.hash, expected + 1
    if head_sequence is not None and (head_sequence != expected - 1 or head_hash != prev):
        raise Broken(agency_id=agency_id, sequence=head_sequence, event_id="head",
                     reason=f"the chain ends at #{expected - 1} but its head says #{head_sequence}"
                            " (the newest events were deleted)")
    return count
