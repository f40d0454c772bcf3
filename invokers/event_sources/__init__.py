"""Event source mappings for local handlers against the embedded AWS (``--mock-aws``).

``EventSources`` connects each local function's SQS, Kinesis, DynamoDB stream,
SNS, S3, EventBridge and schedule triggers to moto and invokes the handler
through the engine, reporting every invocation as a ``Delivery``. ``send``
puts messages, records, objects and events into the sources (the UI's form).
"""

from .models import Delivery, MappingInfo, Notice
from .runner import EventSources

__all__ = ["Delivery", "EventSources", "MappingInfo", "Notice"]
