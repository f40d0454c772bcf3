// Kinesis consumer: record data arrives base64-encoded.
exports.handler = async (event) => {
  const readings = event.Records.map((record) => {
    const reading = JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8"));
    console.log(`partition ${record.kinesis.partitionKey} seq ${record.kinesis.sequenceNumber}: ${JSON.stringify(reading)}`);
    return reading;
  });
  return { processed: readings.length };
};
