"""The environment local workers see, and what is masked when shown."""

import pytest

from invokers.environment import looks_secret, mask_environment, mask_url_credentials


def test_secret_looking_names_are_masked() -> None:
    masked = mask_environment({"DB_PASSWORD": "x", "api_key": "y", "GITHUB_TOKEN": "z", "STAGE": "prod",
                               "AWS_SECRET_ACCESS_KEY": "s", "EMPTY_SECRET": ""})
    assert masked == {"DB_PASSWORD": "****", "api_key": "****", "GITHUB_TOKEN": "****", "STAGE": "prod",
                      "AWS_SECRET_ACCESS_KEY": "****", "EMPTY_SECRET": ""}


@pytest.mark.parametrize("name", ["SIGNING_KEY", "CLIENT_SECRET", "SLACK_TOKEN", "DB_PASSWORD", "SMTP_PASSWD",
                                  "PRIVATE_PEM", "GOOGLE_CREDENTIALS", "BASIC_AUTH", "SENTRY_DSN", "stripe_key"])
def test_every_secret_word_is_masked(name: str) -> None:
    assert mask_environment({name: "hunter2-value"}) == {name: "****"}


@pytest.mark.parametrize(("name", "value"), [("PASSWORD_ITERATIONS", "100000"), ("TOKEN_TTL", "3600"),
                                             ("AUTH_ENABLED", "true"), ("KEY_ROTATION_DAYS", "-1.5"),
                                             ("SECRET_SCANNING", "off")])
def test_a_name_that_only_sounds_secret_keeps_a_plain_value(name: str, value: str) -> None:
    assert not looks_secret(name, value)
    assert mask_environment({name: value}) == {name: value}


@pytest.mark.parametrize(("name", "value"), [("PASSWORD_ITERATIONS", "abc123"), ("TOKEN_TTL", "1h")])
def test_the_same_names_with_secret_shaped_values_are_masked(name: str, value: str) -> None:
    assert looks_secret(name, value) and mask_environment({name: value}) == {name: "****"}


def test_url_credentials_are_masked_whatever_the_name() -> None:
    masked = mask_environment({"DATABASE_URL": "postgres://app:s3cr3t@db.internal:5432/orders",
                               "BROKER": "amqp://guest:guest@mq/vhost", "SITE": "https://example.com/a:b@c",
                               "PLAIN": "https://user@host/path"})
    assert masked == {"DATABASE_URL": "postgres://app:****@db.internal:5432/orders",
                      "BROKER": "amqp://guest:****@mq/vhost", "SITE": "https://example.com/a:b@c",
                      "PLAIN": "https://user@host/path"}
    assert mask_url_credentials("see redis://:pw@cache:6379/0 now") == "see redis://:****@cache:6379/0 now"
