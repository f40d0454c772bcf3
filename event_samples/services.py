"""The other services ``sam local generate-event`` knows: identity (Cognito), AppSync, CloudFront, SES, Config,
the code tools, Lex, Alexa, Connect and the rest that fit no family of their own.

Each builder fills its template with the parameters given and keeps the
event consistent with itself (region and account in every ARN, base64 where
the service encodes, record counts). Shapes follow AWS's documented payloads;
the tests check them against aws-lambda-powertools' models where one exists.
"""

from __future__ import annotations

from typing import Any

from .common import Env, as_json_value, hex_id, new_id, template

CLOUDFRONT_EVENT_TYPES = ("viewer-request", "origin-request", "origin-response", "viewer-response")

COGNITO_TRIGGERS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # triggerSource: the request / response a pool sends for it
    "PreSignUp_SignUp": ({"userAttributes": {}, "validationData": None},
                         {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}),
    "PostConfirmation_ConfirmSignUp": ({"userAttributes": {}}, {}),
    "PreAuthentication_Authentication": ({"userAttributes": {}, "validationData": None,
                                          "userNotFound": False}, {}),
    "PostAuthentication_Authentication": ({"userAttributes": {}, "newDeviceUsed": False}, {}),
    "TokenGeneration_Authentication": ({"userAttributes": {}, "groupConfiguration": {
        "groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None}}, {"claimsOverrideDetails": None}),
    "CustomMessage_SignUp": ({"userAttributes": {}, "codeParameter": "{####}", "usernameParameter": None},
                             {"smsMessage": None, "emailMessage": None, "emailSubject": None}),
    "DefineAuthChallenge_Authentication": ({"userAttributes": {}, "session": [], "userNotFound": False},
                                           {"challengeName": None, "issueTokens": False, "failAuthentication": False}),
    "CreateAuthChallenge_Authentication": ({"userAttributes": {}, "challengeName": "CUSTOM_CHALLENGE",
                                            "session": [], "userNotFound": False},
                                           {"publicChallengeParameters": {}, "privateChallengeParameters": {},
                                            "challengeMetadata": None}),
    "VerifyAuthChallengeResponse_Authentication": ({"userAttributes": {}, "privateChallengeParameters": {},
                                                    "challengeAnswer": "answer", "userNotFound": False},
                                                   {"answerCorrect": False}),
    "UserMigration_Authentication": ({"password": "example-password", "validationData": None},
                                     {"userAttributes": None, "finalUserStatus": None, "messageAction": None,
                                      "desiredDeliveryMediums": None, "forceAliasCreation": None}),
}
_COGNITO_ALIASES = {  # what SAM's Cognito event Trigger property names -> a triggerSource
    "PreSignUp": "PreSignUp_SignUp", "PostConfirmation": "PostConfirmation_ConfirmSignUp",
    "PreAuthentication": "PreAuthentication_Authentication", "PostAuthentication": "PostAuthentication_Authentication",
    "PreTokenGeneration": "TokenGeneration_Authentication", "CustomMessage": "CustomMessage_SignUp",
    "DefineAuthChallenge": "DefineAuthChallenge_Authentication",
    "CreateAuthChallenge": "CreateAuthChallenge_Authentication",
    "VerifyAuthChallengeResponse": "VerifyAuthChallengeResponse_Authentication",
    "UserMigration": "UserMigration_Authentication",
}


def appsync_resolver(field: str = "getOrder", parent_type: str = "Query", arguments: Any = None,
                     env: Env | None = None) -> dict[str, Any]:
    """A direct Lambda resolver call for ``parent_type.field``."""
    event = template("appsync-resolver")
    value = as_json_value(arguments, "arguments") if arguments not in (None, "") else event["arguments"]
    if not isinstance(value, dict):
        raise ValueError("arguments: AppSync arguments are a JSON object")
    event["arguments"] = value
    event["info"].update({"fieldName": field, "parentTypeName": parent_type})
    return event


def cognito(trigger: str = "PreSignUp_SignUp", user_pool: str = "us-east-1_Example1", username: str = "ada",
            email: str = "ada@example.com", env: Env | None = None) -> dict[str, Any]:
    """A Cognito user pool trigger; ``trigger`` is a triggerSource or SAM's short name (PreSignUp...)."""
    env = env or Env()
    source = _COGNITO_ALIASES.get(trigger, trigger)
    if source not in COGNITO_TRIGGERS:
        raise ValueError(f"trigger: unknown Cognito trigger {trigger!r}; known: "
                         f"{', '.join([*_COGNITO_ALIASES, *COGNITO_TRIGGERS])}")
    request, response = COGNITO_TRIGGERS[source]
    event = template("cognito")
    pool = user_pool if "_" in user_pool else f"{env.region}_{user_pool}"
    event.update({"triggerSource": source, "region": env.region, "userPoolId": pool, "userName": username,
                  "request": {**request, **({"userAttributes": {"email": email, "sub": new_id()}}
                                           if "userAttributes" in request else {})},
                  "response": dict(response)})
    return event


def cognito_sync(dataset: str = "profile", env: Env | None = None) -> dict[str, Any]:
    env = env or Env()
    event = template("cognito-sync")
    event.update({"region": env.region, "datasetName": dataset, "identityPoolId": f"{env.region}:{new_id()}",
                  "identityId": f"{env.region}:{new_id()}"})
    return event


def cloudfront(event_type: str = "viewer-request", uri: str = "/index.html", method: str = "GET",
               querystring: str = "", env: Env | None = None) -> dict[str, Any]:
    """A Lambda@Edge event; the response stages carry the origin's response too."""
    if event_type not in CLOUDFRONT_EVENT_TYPES:
        raise ValueError(f"event_type: one of {', '.join(CLOUDFRONT_EVENT_TYPES)}, got {event_type!r}")
    event = template("cloudfront")
    cf = event["Records"][0]["cf"]
    cf["config"].update({"eventType": event_type, "requestId": hex_id(40)})
    cf["request"].update({"method": method.upper(), "uri": "/" + uri.lstrip("/"), "querystring": querystring})
    if event_type.endswith("response"):
        cf["response"] = {"status": "200", "statusDescription": "OK",
                          "headers": {"content-type": [{"key": "Content-Type", "value": "text/html"}]}}
    return event


def ses(sender: str = "sender@example.com", recipient: str = "recipient@example.com", subject: str = "Hello",
        env: Env | None = None) -> dict[str, Any]:
    """An email received by SES and handed to Lambda by a receipt rule."""
    env = env or Env()
    event = template("ses")
    record = event["Records"][0]["ses"]
    mail, receipt = record["mail"], record["receipt"]
    message_id = hex_id(32)
    mail.update({"timestamp": env.iso, "source": sender, "messageId": message_id, "destination": [recipient],
                 "headers": [{"name": "Received", "value": (  # the SES receiving endpoint's own hop, as in real mail
                     f"from mailer.example.com (mailer.example.com [203.0.113.1]) by inbound-smtp.{env.region}."
                     f"amazonaws.com with SMTP id {message_id} for {recipient}; {env.iso_seconds}")},
                             {"name": "From", "value": sender}, {"name": "To", "value": recipient},
                             {"name": "Subject", "value": subject}]})
    mail["commonHeaders"].update({"returnPath": sender, "from": [sender], "to": [recipient], "subject": subject,
                                  "messageId": f"<{message_id}@example.com>"})
    receipt.update({"timestamp": env.iso, "recipients": [recipient]})
    receipt["action"]["functionArn"] = env.arn("lambda", "function:my-function")
    return event


def config(rule: str = "my-rule", variant: str = "item-change", resource_type: str = "AWS::EC2::Instance",
           env: Env | None = None) -> dict[str, Any]:
    """An AWS Config rule evaluation: a configuration item change, an oversized one, or a periodic run."""
    import json

    env = env or Env()
    messages: dict[str, dict[str, Any]] = {
        "item-change": {"messageType": "ConfigurationItemChangeNotification", "configurationItem": {
            "configurationItemCaptureTime": env.iso, "awsAccountId": env.account, "awsRegion": env.region,
            "configurationItemStatus": "OK", "resourceType": resource_type, "resourceId": "i-0123456789abcdef0",
            "ARN": env.arn("ec2", "instance/i-0123456789abcdef0"), "configuration": {}, "tags": {}}},
        "oversized": {"messageType": "OversizedConfigurationItemChangeNotification",
                      "configurationItemSummary": {"changeType": "UPDATE", "resourceType": resource_type,
                                                   "resourceId": "i-0123456789abcdef0", "awsRegion": env.region,
                                                   "awsAccountId": env.account,
                                                   "configurationItemCaptureTime": env.iso}},
        "periodic": {"messageType": "ScheduledNotification", "awsAccountId": env.account,
                     "notificationCreationTime": env.iso, "recordVersion": "1.0"},
    }
    if variant not in messages:
        raise ValueError(f"variant: one of {', '.join(messages)}, got {variant!r}")
    event = template("config")
    event.update({"invokingEvent": json.dumps({**messages[variant], "notificationCreationTime": env.iso}),
                  "configRuleName": rule, "accountId": env.account,
                  "configRuleArn": env.arn("config", f"config-rule/config-rule-{hex_id(6)}"),
                  "executionRoleArn": env.arn("iam", "role/config-role", region=False),
                  "resultToken": hex_id(40)})
    return event


def codecommit(repository: str = "my-repo", branch: str = "main", env: Env | None = None) -> dict[str, Any]:
    env = env or Env()
    event = template("codecommit")
    record = event["Records"][0]
    record.update({"awsRegion": env.region, "eventId": new_id(), "eventTime": env.iso[:-1] + "+0000",
                   "eventSourceARN": env.arn("codecommit", repository),
                   "userIdentityARN": env.arn("iam", "user/ada", region=False),
                   "codecommit": {"references": [{"commit": hex_id(40), "ref": f"refs/heads/{branch}"}]}})
    return event


def codepipeline(input_bucket: str = "pipeline-bucket", input_key: str = "input.zip",
                 output_bucket: str = "pipeline-bucket", output_key: str = "output.zip", user_parameters: str = "",
                 env: Env | None = None) -> dict[str, Any]:
    env = env or Env()
    event = template("codepipeline")
    job = event["CodePipeline.job"]
    job.update({"id": new_id(), "accountId": env.account})
    data = job["data"]
    data["actionConfiguration"]["configuration"]["UserParameters"] = user_parameters
    data["inputArtifacts"][0]["location"]["s3Location"] = {"bucketName": input_bucket, "objectKey": input_key}
    data["outputArtifacts"][0]["location"]["s3Location"] = {"bucketName": output_bucket, "objectKey": output_key}
    return event


def cloudformation(request_type: str = "Create", resource_type: str = "Custom::MyResource", properties: Any = None,
                   stack: str = "my-stack", env: Env | None = None) -> dict[str, Any]:
    """A custom resource request; Update and Delete carry the physical id, Update the old properties too."""
    env = env or Env()
    kind = request_type.capitalize()
    if kind not in ("Create", "Update", "Delete"):
        raise ValueError(f"request_type: Create, Update or Delete, got {request_type!r}")
    event = template("cloudformation")
    token = env.arn("lambda", "function:my-function")
    props = as_json_value(properties, "properties") if properties not in (None, "") else {}
    if not isinstance(props, dict):
        raise ValueError("properties: resource properties are a JSON object")
    event.update({"RequestType": kind, "ServiceToken": token, "ResourceType": resource_type, "RequestId": new_id(),
                  "StackId": env.arn("cloudformation", f"stack/{stack}/{new_id()}"),
                  "ResponseURL": f"https://cloudformation-custom-resource-response-{env.region.replace('-', '')}"
                                 f".s3.amazonaws.com/{hex_id(20)}",
                  "ResourceProperties": {"ServiceToken": token, **props}})
    if kind != "Create":
        event["PhysicalResourceId"] = f"{stack}-MyResource-{hex_id(12).upper()}"
    if kind == "Update":
        event["OldResourceProperties"] = {"ServiceToken": token}
    return event


def lex(intent: str = "OrderFlowers", slots: Any = None, transcript: str = "I would like to order roses",
        env: Env | None = None) -> dict[str, Any]:
    event = template("lex")
    slot_map = as_json_value(slots, "slots") if slots not in (None, "") else event["currentIntent"]["slots"]
    event["currentIntent"].update({"name": intent, "slots": slot_map})
    event.update({"inputTranscript": transcript, "userId": new_id()})
    return event


def lex_v2(intent: str = "BookHotel", transcript: str = "book a hotel", env: Env | None = None) -> dict[str, Any]:
    event = template("lex-v2")
    event["interpretations"][0]["intent"]["name"] = intent
    event["sessionState"]["intent"]["name"] = intent
    event.update({"inputTranscript": transcript, "sessionId": new_id()})
    return event


def alexa_skills_kit(request_type: str = "LaunchRequest", intent: str | None = None, skill_id: str = "",
                     env: Env | None = None) -> dict[str, Any]:
    """An Alexa skill request: LaunchRequest, IntentRequest (with ``intent``) or SessionEndedRequest."""
    env = env or Env()
    event = template("alexa-skills-kit")
    skill = skill_id or "amzn1.ask.skill." + new_id()
    event["session"]["application"]["applicationId"] = skill
    event["context"]["System"]["application"]["applicationId"] = skill
    kind = "IntentRequest" if intent and request_type == "LaunchRequest" else request_type
    event["request"].update({"type": kind, "requestId": "amzn1.echo-api.request." + new_id(),
                             "timestamp": env.iso_seconds})
    if kind == "IntentRequest":
        event["request"]["intent"] = {"name": intent or "HelloIntent", "confirmationStatus": "NONE", "slots": {}}
        event["session"]["new"] = False
    elif kind == "SessionEndedRequest":
        event["request"]["reason"] = "USER_INITIATED"
    return event


def alexa_smart_home(directive: str = "Discover", endpoint: str = "light-1", env: Env | None = None) -> dict[str, Any]:
    """A smart home directive: Discover, TurnOn or TurnOff."""
    event = template("alexa-smart-home")
    header = event["directive"]["header"]
    header["messageId"] = new_id()
    if directive in ("TurnOn", "TurnOff"):
        header.update({"namespace": "Alexa.PowerController", "name": directive, "correlationToken": hex_id(16)})
        event["directive"]["endpoint"] = {"scope": event["directive"]["payload"]["scope"], "endpointId": endpoint,
                                          "cookie": {}}
        event["directive"]["payload"] = {}
    elif directive != "Discover":
        raise ValueError(f"directive: Discover, TurnOn or TurnOff, got {directive!r}")
    return event


def connect(contact_id: str | None = None, phone: str = "+15550199", env: Env | None = None) -> dict[str, Any]:
    env = env or Env()
    event = template("connect")
    data = event["Details"]["ContactData"]
    contact = contact_id or new_id()
    data.update({"ContactId": contact, "InitialContactId": contact, "PreviousContactId": contact,
                 "InstanceARN": env.arn("connect", f"instance/{new_id()}")})
    data["CustomerEndpoint"]["Address"] = phone
    return event


def sagemaker_ground_truth(source_ref: str = "s3://my-bucket/images/cat.jpg", job: str = "my-job",
                           env: Env | None = None) -> dict[str, Any]:
    """A Ground Truth pre-annotation (pre-human) call for one data object."""
    env = env or Env()
    event = template("sagemaker-ground-truth")
    event.update({"labelingJobArn": env.arn("sagemaker", f"labeling-job/{job}"),
                  "dataObject": {"source-ref": source_ref}})
    return event


def stepfunctions(error: str = "States.TaskFailed", cause: str = "the task failed",
                  env: Env | None = None) -> dict[str, Any]:
    """What a Catch passes on: the error name and its cause."""
    event = template("stepfunctions")
    event.update({"Error": error, "Cause": cause})
    return event


def batch(job_name: str = "my-job", queue: str = "my-queue", definition: str = "my-def:1",
          env: Env | None = None) -> dict[str, Any]:
    """A SubmitJob request, as SAM's batch sample gives a function to forward."""
    env = env or Env()
    event = template("batch")
    event.update({"jobName": job_name, "jobQueue": env.arn("batch", f"job-queue/{queue}"),
                  "jobDefinition": env.arn("batch", f"job-definition/{definition}")})
    return event


def workmail(flow_direction: str = "INBOUND", mail_from: str = "sender@example.com",
             recipient: str = "recipient@example.com", subject: str = "Hello",
             env: Env | None = None) -> dict[str, Any]:
    if flow_direction not in ("INBOUND", "OUTBOUND"):
        raise ValueError(f"flow_direction: INBOUND or OUTBOUND, got {flow_direction!r}")
    event = template("workmail")
    event.update({"flowDirection": flow_direction, "subject": subject, "messageId": new_id(),
                  "invocationId": hex_id(32), "sender": {"address": mail_from},
                  "envelope": {"mailFrom": {"address": mail_from}, "recipients": [{"address": recipient}]}})
    return event
