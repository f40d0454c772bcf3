"""Billing granularity and the price table."""

from invokers.pricing import billed_ms, cost_usd, price_for


def test_billed_rounds_up_to_the_next_millisecond_including_init() -> None:
    assert billed_ms(0.2) == 1
    assert billed_ms(1.0) == 1
    assert billed_ms(1.01) == 2
    assert billed_ms(395.99, 265.72) == 662  # the REPORT example in Lambda's docs


def test_cost_per_gb_second_and_request_by_architecture() -> None:
    assert abs(cost_usd(1000, 1024) - (0.0000166667 + 0.0000002)) < 1e-15
    assert abs(cost_usd(1000, 1024, architecture="arm64") - (0.0000133334 + 0.0000002)) < 1e-15
    assert price_for("ap-south-9") == price_for("us-east-1")


