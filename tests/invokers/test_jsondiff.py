"""The structural JSON diff: added, removed and changed paths; the volatile rule; JSON inside strings."""

from __future__ import annotations

from invokers.jsondiff import diff


def kinds(found) -> list[tuple[str, str]]:
    return [(change.kind, change.path) for change in found.changes]


def test_equal_values_and_key_order_do_not_matter() -> None:
    assert diff({"a": 1, "b": [1, {"c": 2}]}, {"b": [1, {"c": 2}], "a": 1}).same


def test_added_removed_and_changed_paths_are_named() -> None:
    found = diff({"keep": 1, "gone": True, "nested": {"n": 1}, "list": [1, 2, 3]},
                 {"keep": 2, "new": "x", "nested": {"n": 1, "m": None}, "list": [1, 2]})
    assert sorted(kinds(found)) == [("added", "$.nested.m"), ("added", "$.new"), ("changed", "$.keep"),
                                    ("removed", "$.gone"), ("removed", "$.list[2]")]
    change = next(c for c in found.changes if c.path == "$.keep")
    assert (change.left, change.right) == (1, 2)
    assert change.describe() == "~ $.keep: 1 (local) -> 2 (deployed)"


def test_type_changes_and_json_numbers() -> None:
    assert diff({"n": 1}, {"n": 1.0}).same  # the same JSON number
    assert kinds(diff({"n": 1}, {"n": True})) == [("changed", "$.n")]  # a boolean is not a number
    assert kinds(diff({"n": "1"}, {"n": 1})) == [("changed", "$.n")]
    assert kinds(diff([1], {"0": 1})) == [("changed", "$")]
    assert kinds(diff(None, {"a": 1})) == [("changed", "$")]


def test_volatile_keys_and_shapes_are_ignored_but_counted() -> None:
    left = {"requestId": "a", "headers": {"X-Amzn-Trace-Id": "Root=1-a", "Content-Type": "json"},
            "id": "9b2f1c44-8f5e-4b55-9d0a-3c1f6c2b7e11", "at": "2024-05-01T10:00:00Z", "count": 1}
    right = {"requestId": "b", "headers": {"X-Amzn-Trace-Id": "Root=1-b", "Content-Type": "json"},
             "id": "0a4e6b1d-2c3f-4d5e-8f90-112233445566", "at": "2025-01-02T03:04:05.123+01:00", "count": 1}
    found = diff(left, right)
    assert found.same
    assert sorted(found.ignored) == ['$.at', '$.headers["X-Amzn-Trace-Id"]', "$.id", "$.requestId"]
    strict = diff(left, right, volatile=False)
    assert len(strict.changes) == 4 and not strict.ignored


def test_volatile_rule_does_not_hide_shape_or_other_values() -> None:
    assert kinds(diff({"timestamp": 1}, {})) == [("removed", "$.timestamp")]  # shape differences always count
    assert kinds(diff({"id": "9b2f1c44-8f5e-4b55-9d0a-3c1f6c2b7e11"}, {"id": "not-a-uuid"})) == [("changed", "$.id")]
    assert kinds(diff({"message": "hello"}, {"message": "hello world"})) == [("changed", "$.message")]


def test_json_inside_strings_is_compared_inside() -> None:
    left = {"statusCode": 200, "body": '{"message": "hello world", "requestId": "x"}'}
    right = {"statusCode": 200, "body": '{"requestId": "y", "message": "hello"}'}
    found = diff(left, right)
    assert kinds(found) == [("changed", "$.body<json>.message")]
    assert found.ignored == ["$.body<json>.requestId"]
    assert kinds(diff({"body": "plain"}, {"body": "{not json"})) == [("changed", "$.body")]


def test_ignored_paths_and_odd_keys() -> None:
    found = diff({"headers": {"ETag": "1", "x y": 1}}, {"headers": {"ETag": "2", "x y": 2}},
                 ignore=["$.headers.ETag"])
    assert kinds(found) == [("changed", '$.headers["x y"]')] and found.ignored == ["$.headers.ETag"]
    assert diff({"a": 1}, {"a": 1, "extra": 2}, ignore=["$.extra"]).same
