"""The environment local workers see, and what is masked when shown."""

from invokers.environment import mask_environment


def test_secret_looking_names_are_masked() -> None:
    masked = mask_environment({"DB_PASSWORD": "x", "api_key": "y", "GITHUB_TOKEN": "z", "STAGE": "prod",
                               "AWS_SECRET_ACCESS_KEY": "s", "EMPTY_SECRET": ""})
    assert masked == {"DB_PASSWORD": "****", "api_key": "****", "GITHUB_TOKEN": "****", "STAGE": "prod",
                      "AWS_SECRET_ACCESS_KEY": "****", "EMPTY_SECRET": ""}
