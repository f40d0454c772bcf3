// SQS batch consumer (ES module) with partial batch responses.
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records ?? []) {
    try {
      const message = JSON.parse(record.body);
      console.log(`processing message ${record.messageId}:`, JSON.stringify(message));
    } catch (err) {
      console.error(`cannot parse message ${record.messageId}: ${err.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
