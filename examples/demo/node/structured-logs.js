// Structured JSON logging: objects passed to console stay structured in svl-tui.
let coldStart = true;

exports.handler = async (event, context) => {
  const base = { service: process.env.SERVICE_NAME || "orders", cold_start: coldStart, function_request_id: context.awsRequestId };
  console.info({ ...base, level: "INFO", message: "order received", order_id: event.order_id || "o-1001" });
  if ((event.amount || 0) > 1000) console.warn({ ...base, level: "WARN", message: "large order needs review", amount: event.amount });
  console.info({ ...base, level: "INFO", message: "order accepted" });
  coldStart = false;
  return { accepted: true };
};
