// The Azure host's invocation data for azure_node.js: the engine's event as the typed data the
// @azure/functions library reads, its outputs back as JSON, and the HTTP stream proxy's exchange.
// Loaded by absolute path from azure_node.js, never through the handler's module path.
"use strict";

// ---- the host's invocation data, from the event the engine sends ------------------------------

function toTyped(value) {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return { string: value };
  return { json: JSON.stringify(value) };
}

function bytesOf(value, encoding) {
  if (typeof value === "string") return Buffer.from(value, encoding === "base64" ? "base64" : "utf8");
  return Buffer.from(JSON.stringify(value === undefined ? null : value));
}

function envelope(event) {
  // Non-HTTP triggers take {data, metadata}; any other value is the trigger's data itself.
  if (event && typeof event === "object" && !Array.isArray(event) && "data" in event) {
    return { data: event.data, metadata: event.metadata || {}, encoding: event.dataEncoding };
  }
  return { data: event, metadata: {}, encoding: undefined };
}

function triggerData(binding, event) {
  const type = String(binding.type).toLowerCase();
  if (type === "httptrigger") {
    const raw = event.rawBody !== undefined ? event.rawBody : event.body;
    const body = raw === undefined || raw === null ? undefined
      : event.bodyEncoding === "base64" ? { bytes: Buffer.from(String(raw), "base64") }
        : { string: typeof raw === "string" ? raw : JSON.stringify(raw) };
    return {
      data: { http: { method: event.method, url: event.url, headers: event.headers || {}, query: event.query || {},
        params: event.params || {}, body } },
      metadata: {},
    };
  }
  const { data, metadata, encoding } = envelope(event);
  const typedMetadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    const typed = toTyped(value);
    if (typed) typedMetadata[key] = typed;
  }
  if (type === "blobtrigger" && binding.dataType !== "string") return { data: { bytes: bytesOf(data, encoding) }, metadata: typedMetadata };
  return { data: toTyped(data), metadata: typedMetadata };
}

// Input bindings (blob, table, Cosmos DB) read by the engine from .svl/azure/, as the host's typed data.
function inputTyped(typed) {
  if (!typed) return undefined;
  if (typed.bytes !== undefined) return { bytes: Buffer.from(typed.bytes, "base64") };
  if (typed.string !== undefined) return { string: typed.string };
  return typed.json === null || typed.json === undefined ? undefined : { json: JSON.stringify(typed.json) };
}

function inputData(event) {
  const inputs = (event && event.svlInputs) || {};
  return Object.entries(inputs).map(([name, typed]) => ({ name, data: inputTyped(typed) }));
}

function inputValue(typed) {
  // v3: context.bindings.<name> as the v3 worker gives it (JSON parsed, bytes as a Buffer)
  if (!typed) return null;
  if (typed.bytes !== undefined) return Buffer.from(typed.bytes, "base64");
  if (typed.string !== undefined) return typed.string;
  return typed.json === undefined ? null : typed.json;
}

function fromTyped(data) {
  // An output binding's value as the host receives it, shown as JSON.
  if (data === null || data === undefined) return null;
  if (data.http) return fromHttp(data.http);
  if (data.string !== undefined) return data.string;
  if (data.json !== undefined) { try { return JSON.parse(data.json); } catch (_) { return data.json; } }
  if (data.bytes !== undefined) return bytesView(Buffer.from(data.bytes));
  if (data.int !== undefined) return data.int;
  if (data.double !== undefined) return data.double;
  return data;
}

function bytesView(buffer) {
  const text = buffer.toString("utf8");
  return Buffer.from(text, "utf8").equals(buffer) ? text : { base64: buffer.toString("base64") };
}

function fromHttp(http) {
  const headers = http.headers || {};
  let body = http.body ? fromTyped(http.body) : null;
  const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type");
  if (typeof body === "string" && contentType && /json/i.test(contentType[1])) {
    try { body = JSON.parse(body); } catch (_) { /* not JSON after all: keep the text */ }
  }
  const response = { status: Number(http.statusCode || http.status || 200), headers, body };
  if (http.cookies && http.cookies.length) response.cookies = http.cookies.map(fromCookie);
  return response;
}

function fromCookie(cookie) {
  const out = { name: cookie.name, value: cookie.value };
  for (const key of ["domain", "path", "sameSite", "secure", "httpOnly", "maxAge", "expires"]) {
    let value = cookie[key];
    if (value && typeof value === "object" && "value" in value) value = value.value;
    if (key === "sameSite") value = { none: undefined, explicitNone: "None", lax: "Lax", strict: "Strict" }[value];
    if (value && key === "expires" && typeof value === "object" && value.seconds !== undefined) {
      value = new Date(Number(value.seconds) * 1000).toUTCString();
    }
    if (value !== undefined && value !== null && value !== "") out[key] = value;
  }
  return out;
}

// ---- HTTP streams (app.setup({ enableHttpStream: true })) ------------------------------------------
// The host then sends the request itself to the library's proxy (with the invocation id in a header)
// and reads the response from it; the RPC message only carries headers and route params.

function streamedHttpData(event) {
  const metadata = { Headers: { json: JSON.stringify(event.headers || {}) }, Query: { json: JSON.stringify(event.query || {}) } };
  for (const [key, value] of Object.entries(event.params || {})) metadata[key] = { string: String(value) };
  return { data: { http: {} }, metadata };
}

function sendToProxy(proxyUri, event, invocationId) {
  const http = require("http");
  const target = new URL(event.url || "http://localhost:7071/");
  const raw = event.rawBody !== undefined ? event.rawBody : event.body;
  const body = raw === undefined || raw === null ? null
    : event.bodyEncoding === "base64" ? Buffer.from(String(raw), "base64") : Buffer.from(typeof raw === "string" ? raw : JSON.stringify(raw));
  const proxy = new URL(proxyUri);
  let request;
  const response = new Promise((resolve, reject) => {
    request = http.request({
      host: proxy.hostname, port: proxy.port, method: event.method || "GET", path: target.pathname + target.search,
      headers: Object.assign({}, event.headers || {}, { "x-ms-invocation-id": invocationId, "x-forwarded-host": target.host,
        "x-forwarded-proto": target.protocol.replace(":", "") }),
    }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => {
        const headers = {};
        for (const [key, value] of Object.entries(res.headers)) {
          if (key !== "set-cookie" && key !== "x-ms-invocation-id" && key !== "transfer-encoding" && key !== "connection"
            && key !== "date" && key !== "keep-alive") headers[key] = value;
        }
        const out = fromHttp({ statusCode: res.statusCode, headers, body: { bytes: Buffer.concat(chunks) } });
        if (res.headers["set-cookie"]) out.cookies = res.headers["set-cookie"];
        resolve(out);
      });
    });
    request.on("error", reject);
    if (body && !/^(get|head)$/i.test(event.method || "GET")) request.write(body);
    request.end();
  });
  response.catch(() => {});
  return { response, abort: () => request.destroy() };
}

module.exports = { bytesOf, envelope, triggerData, inputData, inputValue, fromTyped, fromCookie, streamedHttpData,
  sendToProxy };
