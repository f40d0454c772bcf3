"""The catalogue of event kinds: names, parameters, generators.

One table drives ``svl-tui events list/show``, the TUI's template picker and
the tests, so a new kind is one entry here plus its template file.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import azure, http, messaging, services, storage, streams, variants


@dataclass(frozen=True)
class Param:
    """One thing a user varies in a generated event."""

    name: str
    help: str
    type: str = "text"  # text | int | json | bool

    def coerce(self, value: Any) -> Any:
        """A CLI or form string as the generator expects it; raises ValueError naming the parameter."""
        if not isinstance(value, str):
            return value
        if self.type == "int":
            try:
                return int(value)
            except ValueError:
                raise ValueError(f"--{self.cli_name}: expected a whole number, got {value!r}") from None
        if self.type == "bool":
            lowered = value.strip().lower()
            if lowered in ("1", "true", "yes", "on", ""):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"--{self.cli_name}: expected true or false, got {value!r}")
        return value

    @property
    def cli_name(self) -> str:
        return self.name.replace("_", "-")


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    description: str
    builder: Callable[..., Any]
    params: tuple[Param, ...]
    detected_as: str = ""
    """The kind ``detect`` names for this one's events when they share a shape (a Rekognition request is an
    S3 notification); empty when it is this kind itself."""

    def generate(self, **values: Any) -> Any:
        """A fresh event; unknown parameter names are an error that lists the known ones.

        ``sam local generate-event``'s names are accepted too (``--queue-name``, ``--region``,
        ``--account-id``, ``--partition`` ...; see ``event_samples.sam``).
        """
        from .sam import replace_strings, split

        parts = split(self.name, values)
        known = {p.name: p for p in self.params}
        unknown = [name for name in parts.params if name not in known]
        if unknown:
            names = ", ".join(f"--{p.cli_name}" for p in self.params) or "none"
            raise ValueError(f"{self.name} has no parameter --{unknown[0].replace('_', '-')}; it takes: {names} "
                             "(and --region, --account-id, --partition)")
        arguments = {name: known[name].coerce(value) for name, value in parts.params.items()}
        if parts.env and "env" in inspect.signature(self.builder).parameters:
            from .common import Env

            arguments["env"] = Env(**parts.env)  # type: ignore[arg-type]
        event = self.builder(**arguments)
        if parts.env.get("partition"):  # ARNs a template spells out, as well as the ones built from Env
            replace_strings(event, "arn:aws:", f"arn:{parts.env['partition']}:")
        for setter, value in parts.setters:
            setter(event, value)
        return event

    def defaults(self) -> dict[str, Any]:
        signature = inspect.signature(self.builder)
        return {p.name: signature.parameters[p.name].default for p in self.params}


_HTTP = (Param("method", "HTTP method"), Param("path", "request path"),
         Param("query", "query string: a=1&b=2 or a JSON object"),
         Param("headers", "headers as a JSON object (or Name: value; Name2: value)"),
         Param("body", "body: text, or JSON (sets Content-Type: application/json)"),
         Param("binary", "base64-encode the body (isBase64Encoded: true)", "bool"))

KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("apigw-rest", "API Gateway REST API (v1 proxy)", "REST API proxy integration request",
         http.apigw_rest, (*_HTTP, Param("resource", "resource template, e.g. /orders/{id}"),
                           Param("path_params", "path parameters as a JSON object"), Param("stage", "stage name"))),
    Kind("apigw-http", "API Gateway HTTP API (v2)", "HTTP API payload format 2.0",
         http.apigw_http, (*_HTTP, Param("cookies", "cookies as a JSON list", "json"),
                           Param("route_key", "route key, e.g. 'GET /orders'"),
                           Param("path_params", "path parameters as a JSON object"), Param("stage", "stage name"))),
    Kind("function-url", "Lambda Function URL", "Function URL request (payload format 2.0)",
         http.function_url, (*_HTTP, Param("cookies", "cookies as a JSON list", "json"))),
    Kind("alb", "Application Load Balancer", "ALB target group request", http.alb, _HTTP),
    Kind("graphql", "GraphQL over API Gateway", "POST /graphql with a {query, variables} body",
         http.graphql, (Param("query", "the GraphQL document"), Param("variables", "variables as JSON", "json"),
                        Param("operation_name", "operation name"), Param("path", "request path"))),
    Kind("sqs", "Amazon SQS", "a batch of SQS messages",
         messaging.sqs, (Param("body", "message body (text or JSON)"), Param("records", "how many messages", "int"),
                         Param("bodies", "one message per item of a JSON list", "json"),
                         Param("queue", "queue name (.fifo for a FIFO queue)"),
                         Param("attributes", "message attributes as a JSON object"))),
    Kind("sns", "Amazon SNS", "an SNS notification",
         messaging.sns, (Param("message", "message (text or JSON)"), Param("subject", "subject"),
                         Param("topic", "topic name"), Param("attributes", "message attributes as a JSON object"))),
    Kind("kinesis", "Kinesis Data Streams", "records with base64-encoded data",
         streams.kinesis, (Param("data", "record data (text or JSON), base64-encoded for you"),
                           Param("records", "how many records", "int"),
                           Param("items", "one record per item of a JSON list", "json"),
                           Param("stream", "stream name"), Param("partition_key", "partition key"))),
    Kind("dynamodb", "DynamoDB Streams", "stream records with typed-JSON images",
         streams.dynamodb, (Param("keys", "key attributes as plain JSON", "json"),
                            Param("new_image", "new image as plain JSON", "json"),
                            Param("old_image", "old image as plain JSON", "json"),
                            Param("event_name", "INSERT, MODIFY or REMOVE"), Param("table", "table name"),
                            Param("records", "how many records", "int"))),
    Kind("s3", "Amazon S3", "an object notification",
         storage.s3, (Param("bucket", "bucket name"), Param("key", "object key"), Param("size", "size in bytes", "int"),
                      Param("event_name", "e.g. ObjectCreated:Put, ObjectRemoved:Delete"))),
    Kind("eventbridge", "EventBridge (custom)", "a custom event on an event bus",
         messaging.eventbridge, (Param("source", "event source"), Param("detail_type", "detail-type"),
                                 Param("detail", "detail as a JSON object", "json"),
                                 Param("resources", "resource ARNs as a JSON list", "json"))),
    Kind("eventbridge-scheduled", "EventBridge (scheduled)", "a scheduled rule firing",
         messaging.eventbridge_scheduled, (Param("rule", "rule name"),)),
    Kind("cloudwatch-logs", "CloudWatch Logs subscription", "gzipped, base64-encoded log events",
         streams.cloudwatch_logs, (Param("messages", "log messages as a JSON list", "json"),
                                   Param("log_group", "log group"), Param("log_stream", "log stream"))),
    Kind("warmup", "Warm-up ping", '{"source": "warmup"}, as warm-up plugins send',
         messaging.warmup, (Param("source", "source value"), Param("concurrency", "concurrency hint", "int"))),
    Kind("apigw-authorizer-token", "API Gateway TOKEN authorizer", "a Lambda authorizer's token input",
         http.apigw_authorizer_token, (Param("token", "the caller's token"), Param("method", "HTTP method"),
                                           Param("path", "resource path"), Param("stage", "stage name"))),
    Kind("apigw-authorizer-request", "API Gateway REQUEST authorizer", "a Lambda authorizer's request input",
         http.apigw_authorizer_request, (Param("method", "HTTP method"), Param("path", "resource path"),
                                             Param("headers", "headers as a JSON object"),
                                             Param("query", "query string"), Param("stage", "stage name"))),
    Kind("apigw-websocket", "API Gateway WebSocket", "a $connect, $disconnect or message route event",
         http.apigw_websocket, (Param("route", "route key: $connect, $disconnect, $default or custom"),
                                    Param("body", "message body"), Param("stage", "stage name"))),
    Kind("appsync-resolver", "AppSync resolver", "a direct Lambda resolver call",
         services.appsync_resolver, (Param("field", "field name"), Param("parent_type", "Query, Mutation..."),
                                     Param("arguments", "arguments as a JSON object", "json"))),
    Kind("cognito", "Cognito user pool trigger", "PreSignUp, PostConfirmation, PreTokenGeneration, ...",
         services.cognito, (Param("trigger", "triggerSource or short name (PreSignUp, CustomMessage...)"),
                            Param("user_pool", "user pool id"), Param("username", "user name"),
                            Param("email", "the user's email"))),
    Kind("cognito-sync", "Cognito Sync trigger", "a dataset sync", services.cognito_sync,
         (Param("dataset", "dataset name"),)),
    Kind("kinesis-firehose", "Kinesis Data Firehose", "a transformation batch (base64 records)",
         variants.firehose, (Param("data", "record data (text or JSON)"),
                             Param("records", "how many records", "int"),
                             Param("stream", "delivery stream name"),
                             Param("variant", "transform, apachelog, syslog, cloudwatch-logs-processor or "
                                              "streams-as-source"),
                             Param("partition_key", "streams-as-source: the Kinesis partition key"),
                             Param("sequence", "streams-as-source: the Kinesis sequence number"))),
    Kind("cloudfront", "CloudFront Lambda@Edge", "viewer/origin request or response",
         services.cloudfront, (Param("event_type", "viewer-request, origin-request, origin-response, viewer-response"),
                               Param("uri", "request URI"), Param("method", "HTTP method"),
                               Param("querystring", "query string"))),
    Kind("ses", "Amazon SES email receiving", "an email handed over by a receipt rule",
         services.ses, (Param("sender", "From address"), Param("recipient", "To address"),
                        Param("subject", "subject"))),
    Kind("config", "AWS Config rule", "an item change, oversized item change or periodic evaluation",
         services.config, (Param("rule", "rule name"), Param("variant", "item-change, oversized or periodic"),
                           Param("resource_type", "e.g. AWS::EC2::Instance"))),
    Kind("codecommit", "CodeCommit trigger", "a push to a repository", services.codecommit,
         (Param("repository", "repository name"), Param("branch", "branch"))),
    Kind("codepipeline", "CodePipeline job", "a Lambda invoke action's job", services.codepipeline,
         (Param("input_bucket", "input artifact bucket"), Param("input_key", "input artifact key"),
          Param("output_bucket", "output artifact bucket"), Param("output_key", "output artifact key"),
          Param("user_parameters", "the action's UserParameters"))),
    Kind("cloudformation", "CloudFormation custom resource", "a Create, Update or Delete request",
         services.cloudformation, (Param("request_type", "Create, Update or Delete"),
                                   Param("resource_type", "e.g. Custom::MyResource"),
                                   Param("properties", "resource properties as a JSON object", "json"),
                                   Param("stack", "stack name"))),
    Kind("lex", "Amazon Lex (V1)", "a fulfilment code hook call", services.lex,
         (Param("intent", "intent name"), Param("slots", "slots as a JSON object", "json"),
          Param("transcript", "what the user said"))),
    Kind("lex-v2", "Amazon Lex V2", "a fulfilment code hook call", services.lex_v2,
         (Param("intent", "intent name"), Param("transcript", "what the user said"))),
    Kind("alexa-skills-kit", "Alexa Skills Kit", "a launch, intent or session-ended request",
         services.alexa_skills_kit, (Param("request_type", "LaunchRequest, IntentRequest or SessionEndedRequest"),
                                     Param("intent", "intent name (makes an IntentRequest)"),
                                     Param("skill_id", "skill id"))),
    Kind("alexa-smart-home", "Alexa Smart Home", "a Discover, TurnOn or TurnOff directive",
         services.alexa_smart_home, (Param("directive", "Discover, TurnOn or TurnOff"),
                                     Param("endpoint", "endpoint id"))),
    Kind("connect", "Amazon Connect contact flow", "a contact flow invoking a function", services.connect,
         (Param("contact_id", "contact id"), Param("phone", "customer phone number"))),
    Kind("sagemaker-ground-truth", "SageMaker Ground Truth", "a pre-annotation call for one data object",
         services.sagemaker_ground_truth, (Param("source_ref", "s3:// URI of the object"),
                                           Param("job", "labeling job name"))),
    Kind("stepfunctions", "Step Functions error", "what a Catch passes on", services.stepfunctions,
         (Param("error", "error name"), Param("cause", "cause"))),
    Kind("batch", "AWS Batch job", "a SubmitJob request", services.batch,
         (Param("job_name", "job name"), Param("queue", "job queue"), Param("definition", "job definition"))),
    Kind("workmail", "Amazon WorkMail email flow", "an inbound or outbound email", services.workmail,
         (Param("flow_direction", "INBOUND or OUTBOUND"), Param("mail_from", "sender"),
          Param("recipient", "recipient"), Param("subject", "subject"))),
    Kind("s3-batch", "S3 Batch Operations", "one task of a batch job", storage.s3_batch,
         (Param("bucket", "bucket name"), Param("key", "object key"), Param("schema", "1.0 or 2.0"))),
    Kind("s3-eventbridge", "S3 via EventBridge", "an S3 notification delivered by EventBridge",
         storage.s3_eventbridge, (Param("bucket", "bucket name"), Param("key", "object key"),
                                   Param("size", "size in bytes", "int"),
                                   Param("detail_type", "Object Created, Object Deleted..."))),
    Kind("mq", "Amazon MQ (ActiveMQ)", "broker messages with base64 data", messaging.mq,
         (Param("data", "message data (text or JSON)"), Param("queue", "queue name"), Param("broker", "broker name"),
          Param("records", "how many messages", "int"))),
    Kind("rabbitmq", "Amazon MQ (RabbitMQ)", "messages grouped by queue and virtual host", messaging.rabbitmq,
         (Param("data", "message data (text or JSON)"), Param("queue", "queue name"),
          Param("virtual_host", "virtual host"), Param("broker", "broker name"))),
    Kind("kafka", "Kafka (MSK or self-managed)", "records by topic-partition, base64 keys and values",
         messaging.kafka, (Param("value", "record value (text or JSON)"), Param("key", "record key"),
                          Param("topic", "topic"), Param("records", "how many records", "int"),
                          Param("cluster", "MSK cluster name"),
                          Param("self_managed", "a self-managed cluster (eventSource SelfManagedKafka)", "bool"))),
    Kind("kinesis-analytics", "Kinesis Data Analytics preprocessing", "records for an input-preprocessing Lambda",
         variants.kinesis_analytics, (Param("data", "record data (text or JSON), base64-encoded for you"),
                                      Param("application", "application name"), Param("stream", "source stream"),
                                      Param("variant", "analytics, compressed, dynamodb or kpl"),
                                      Param("records", "how many records", "int"))),
    Kind("rekognition", "Amazon Rekognition S3 request", "an image put into S3 that starts a Rekognition analysis",
         variants.rekognition, (Param("bucket", "bucket name"), Param("key", "object key (URL-encoded for you)"),
                                Param("size", "object size in bytes", "int")), detected_as="s3"),
    Kind("sagemaker-annotation-consolidation", "SageMaker Ground Truth annotation consolidation",
         "where one iteration's worker answers are, to consolidate",
         variants.sagemaker_consolidation, (Param("labeling_job_name", "labeling job"),
                                            Param("label_attribute_name", "label attribute"),
                                            Param("s3_output_path", "the job's S3 output path"),
                                            Param("execution_role", "execution role name"),
                                            Param("iteration_object_timestamp", "iteration object timestamp"))),
    Kind("azure-http", "Azure Functions HTTP trigger", "an Azure HTTP request (v3 req)",
         http.azure_http, (Param("method", "HTTP method"), Param("path", "request path"),
                           Param("query", "query string or JSON object"), Param("headers", "headers as JSON"),
                           Param("body", "body: text or JSON"), Param("params", "route parameters as JSON"))),
    Kind("azure-timer", "Azure Functions timer trigger", "the host's TimerInfo (isPastDue, scheduleStatus)",
         azure.timer, (Param("schedule", "NCRONTAB schedule"), Param("past_due", "the run is late", "bool"))),
    Kind("azure-queue", "Azure Storage queue trigger", "a queue message with its id, dequeue count and times",
         azure.queue, (Param("body", "message (text or JSON)"), Param("queue_name", "queue name"),
                       Param("dequeue_count", "times dequeued", "int"))),
    Kind("azure-blob", "Azure Blob storage trigger", "a blob's content with its path, URI and properties",
         azure.blob, (Param("path", "container/blob path"), Param("content", "blob content (text)"),
                      Param("content_type", "content type"))),
    Kind("azure-servicebus", "Azure Service Bus trigger", "a message (or a batch) with its message metadata",
         azure.service_bus, (Param("body", "message (text or JSON)"), Param("queue_name", "queue or topic"),
                             Param("delivery_count", "delivery count", "int"),
                             Param("many", "a batch (cardinality many)", "bool"))),
    Kind("azure-eventhub", "Azure Event Hubs trigger", "a batch of events with their system properties",
         azure.event_hub, (Param("bodies", "events as a JSON list", "json"), Param("event_hub_name", "event hub"),
                           Param("many", "a batch (cardinality many)", "bool"))),
    Kind("azure-cosmosdb", "Azure Cosmos DB trigger", "changed documents from the change feed",
         azure.cosmos_db, (Param("documents", "documents as a JSON list", "json"), Param("container", "container"))),
    Kind("azure-eventgrid", "Azure Event Grid trigger", "an Event Grid event (Event Grid schema)",
         azure.event_grid, (Param("event_type", "eventType"), Param("subject", "subject"),
                            Param("data", "event data", "json"))),
    Kind("azure-cloudevent", "Azure Event Grid trigger (CloudEvents)", "an Event Grid event, CloudEvents 1.0 schema",
         azure.cloud_event, (Param("event_type", "type"), Param("subject", "subject"),
                             Param("data", "event data", "json"))),
    Kind("azure-sql", "Azure SQL trigger", "a batch of row changes (Operation, Item)",
         azure.sql_changes, (Param("table", "table name"), Param("items", "rows as a JSON list", "json"),
                             Param("operation", "insert, update or delete"))),
    Kind("azure-activity", "Azure Durable Functions activity", "the input an orchestrator passes to an activity",
         azure.activity, (Param("input", "activity input (text or JSON)"),)),
)}


def get(name: str) -> Kind:
    """The kind called ``name``; a ValueError with close matches otherwise."""
    kind = KINDS.get(name)
    if kind is not None:
        return kind
    import difflib

    close = difflib.get_close_matches(name, list(KINDS), n=3, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise ValueError(f"unknown event kind {name!r}.{hint} Known: {', '.join(KINDS)}")


def generate(name: str, **values: Any) -> Any:
    return get(name).generate(**values)
