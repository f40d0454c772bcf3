"""EventBridge pattern matching, by the documented rules, with the failing field named; samples that match."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from event_samples import patterns
from event_samples.patterns import PatternError, first_mismatch, matches, sample

EVENT = {
    "source": "shop.orders", "detail-type": "OrderPlaced", "account": "123456789012", "region": "us-east-1",
    "resources": ["arn:aws:s3:::bucket/a.png", "arn:aws:s3:::bucket/b.txt"],
    "detail": {"status": "PAID", "total": 42.5, "items": 3, "coupon": None, "country": "DE",
               "file": "photos/cat.PNG", "ip": "10.0.0.7", "tags": ["new", "vip"], "nested": {"flag": True}},
}


@pytest.mark.parametrize(("pattern", "expected"), [
    ({"source": ["shop.orders"]}, True),
    ({"source": ["shop.returns", "shop.orders"]}, True),
    ({"source": ["shop.returns"]}, False),
    ({"detail": {"items": [3]}}, True),
    ({"detail": {"items": [3.0]}}, True),            # numbers compare as numbers
    ({"detail": {"items": ["3"]}}, False),           # a string is not the number
    ({"detail": {"coupon": [None]}}, True),
    ({"detail": {"nested": {"flag": [True]}}}, True),
    ({"detail": {"tags": ["vip"]}}, True),           # array field: any element
    ({"detail": {"tags": ["old"]}}, False),
    ({"detail": {"status": [{"prefix": "PA"}]}}, True),
    ({"detail": {"status": [{"prefix": "pa"}]}}, False),
    ({"detail": {"status": [{"prefix": {"equals-ignore-case": "pa"}}]}}, True),
    ({"detail": {"file": [{"suffix": ".PNG"}]}}, True),
    ({"detail": {"file": [{"suffix": ".png"}]}}, False),
    ({"detail": {"file": [{"suffix": {"equals-ignore-case": ".png"}}]}}, True),
    ({"detail": {"status": [{"anything-but": "FAILED"}]}}, True),
    ({"detail": {"status": [{"anything-but": ["PAID", "FAILED"]}]}}, False),
    ({"detail": {"items": [{"anything-but": [1, 2]}]}}, True),
    ({"detail": {"status": [{"anything-but": {"prefix": "PA"}}]}}, False),
    ({"detail": {"file": [{"anything-but": {"suffix": ".txt"}}]}}, True),
    ({"detail": {"status": [{"anything-but": {"equals-ignore-case": "paid"}}]}}, False),
    ({"detail": {"total": [{"numeric": [">", 0, "<=", 42.5]}]}}, True),
    ({"detail": {"total": [{"numeric": [">", 50]}]}}, False),
    ({"detail": {"total": [{"numeric": ["=", 42.5]}]}}, True),
    ({"detail": {"status": [{"numeric": [">", 0]}]}}, False),  # numeric never matches a string
    ({"detail": {"country": [{"exists": True}]}}, True),
    ({"detail": {"missing": [{"exists": True}]}}, False),
    ({"detail": {"missing": [{"exists": False}]}}, True),
    ({"detail": {"country": [{"exists": False}]}}, False),
    ({"detail": {"missing": ["x"]}}, False),          # an absent field matches nothing but exists:false
    ({"detail": {"missing": [{"anything-but": "x"}]}}, False),
    ({"detail": {"status": [{"equals-ignore-case": "paid"}]}}, True),
    ({"detail": {"file": [{"wildcard": "photos/*.PNG"}]}}, True),
    ({"detail": {"file": [{"wildcard": "photos/*.jpg"}]}}, False),
    ({"detail": {"file": [{"wildcard": "photos/\\*"}]}}, False),  # an escaped star is a literal star
    ({"resources": [{"wildcard": "arn:aws:s3:::bucket/*.png"}]}, True),
    ({"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}, True),
    ({"detail": {"ip": [{"cidr": "10.0.1.0/24"}]}}, False),
    ({"$or": [{"source": ["nope"]}, {"detail": {"items": [3]}}]}, True),
    ({"$or": [{"source": ["nope"]}, {"detail": {"items": [4]}}]}, False),
    ({"detail": {"$or": [{"status": ["X"]}, {"country": ["DE"]}]}}, True),
    ({"source": ["shop.orders"], "detail": {"status": ["REFUNDED"]}}, False),  # every field must match
])
def test_documented_matching_rules(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, EVENT) is expected


def test_the_failing_field_is_named_with_what_was_wanted() -> None:
    failure = first_mismatch({"source": ["shop.orders"], "detail": {"status": ["REFUNDED", "VOID"]}}, EVENT)
    assert failure is not None and failure.path == "detail.status"
    assert failure.expected == 'one of "REFUNDED", "VOID"' and failure.actual == '"PAID"'
    missing = first_mismatch({"detail": {"region": [{"prefix": "eu-"}]}}, EVENT)
    assert missing is not None and missing.path == "detail.region" and missing.actual == "no such field"
    assert str(missing) == 'detail.region: the pattern wants {"prefix": "eu-"}, the event has no such field'


@pytest.mark.parametrize(("pattern", "message"), [
    ("{not json", "not valid JSON"),
    ({}, "non-empty JSON object"),
    ({"source": "shop"}, "values in a pattern are lists"),
    ({"source": []}, "empty list matches nothing"),
    ({"x": [{"numeric": [">", "a"]}]}, "numeric takes"),
    ({"x": [{"startswith": "a"}]}, "unknown operator"),
    ({"x": [{"cidr": "nonsense"}]}, "cidr takes"),
    ({"$or": [{"a": [1]}]}, "at least two"),
])
def test_malformed_patterns_are_refused_with_where_and_why(pattern: Any, message: str) -> None:
    with pytest.raises(PatternError, match=message):
        patterns.parse(pattern)


@pytest.mark.parametrize("pattern", [
    {"source": ["a", "b"]},
    {"detail": {"status": [{"prefix": "PA"}], "amount": [{"numeric": [">", 10, "<=", 20]}]}},
    {"detail": {"status": [{"anything-but": ["something-else", "other-value"]}]}},
    {"detail": {"n": [{"anything-but": [1, 2, 3]}], "gone": [{"exists": False}], "here": [{"exists": True}]}},
    {"detail": {"f": [{"suffix": {"equals-ignore-case": ".PNG"}}], "w": [{"wildcard": "a*b\\*c"}]}},
    {"detail": {"ip": [{"cidr": "192.168.0.0/16"}], "e": [{"equals-ignore-case": "Yes"}]}},
    {"$or": [{"detail": {"a": [1]}}, {"detail": {"b": [2]}}]},
    {"detail": {"numeric": [{"numeric": ["<", -5]}], "nothing": [None]}},
])
def test_sample_matches_its_pattern(pattern: dict[str, Any]) -> None:
    assert first_mismatch(pattern, sample(pattern)) is None


def test_unsatisfiable_pattern_says_which_field() -> None:
    with pytest.raises(PatternError, match=r"detail.n: no value satisfies"):
        sample({"detail": {"n": [{"numeric": [">", 5, "<", 1]}]}})


_LEAVES = st.one_of(
    st.text(min_size=1, max_size=8).map(lambda s: [s]),
    st.integers(-1000, 1000).map(lambda n: [n]),
    st.text(max_size=5).map(lambda s: [{"prefix": s}]),
    st.text(max_size=5).map(lambda s: [{"suffix": s}]),
    st.lists(st.text(max_size=5), min_size=1, max_size=3).map(lambda items: [{"anything-but": items}]),
    st.tuples(st.integers(-100, 100), st.integers(1, 50)).map(
        lambda t: [{"numeric": [">=", t[0], "<", t[0] + t[1]]}]),
    st.booleans().map(lambda b: [{"exists": b}]),
    st.text(alphabet="ab*", min_size=1, max_size=6).map(lambda s: [{"wildcard": s}]),
)
_PATTERNS = st.recursive(st.dictionaries(st.sampled_from(["a", "b", "c"]), _LEAVES, min_size=1, max_size=3),
                         lambda inner: st.dictionaries(st.sampled_from(["d", "e"]), inner, min_size=1, max_size=2),
                         max_leaves=6)


@settings(max_examples=150, deadline=None)
@given(_PATTERNS)
def test_any_generated_pattern_is_matched_by_its_sample(pattern: dict[str, Any]) -> None:
    assert first_mismatch(pattern, sample(pattern)) is None
