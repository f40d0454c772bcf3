"""SNS-triggered handler: one notification per record."""


def handler(event, context):
    sent = []
    for record in event.get("Records", []):
        sns = record["Sns"]
        print(f"notify: [{sns.get('Subject') or 'no subject'}] {sns['Message']}")
        sent.append(sns["MessageId"])
    return {"notified": sent}
