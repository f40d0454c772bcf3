"""Request ids: random UUIDs (version 4, RFC 4122 variant) as Lambda's, in canonical form, never the same twice."""

from __future__ import annotations

import uuid

from invokers.ids import request_id


def test_request_ids_are_canonical_version_4_uuids_and_unique() -> None:
    ids = [request_id() for _ in range(3000)]  # several pools of randomness
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
