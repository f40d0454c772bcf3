"""Deployed AWS Lambda functions: list, inspect, invoke, follow logs (boto3, imported lazily)."""
