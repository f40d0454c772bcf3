// Node.js runtime bootstrap: a Lambda Runtime API client that runs one handler.
//
// Runs in the worker process (the execution environment). It mirrors AWS's Node.js
// runtime interface client where users can see it: handler resolution (CommonJS and
// ES modules) and its Runtime.* init errors, the context object, console output as
// `<time>\t<request id>\t<LEVEL>\t<message>` (or JSON with AWS_LAMBDA_LOG_FORMAT=JSON),
// error payloads `{errorType, errorMessage, trace}`, callback-style handlers, and
// uncaught exceptions / unhandled rejections failing the invocation and the environment.
// With SVL_STYLE=azure it runs an Azure function instead (azure_node.js: models v3 and v4).
"use strict";

const net = require("net");
const path = require("path");
const fs = require("fs");
const util = require("util");

// `host:port/key`: the key prefixes every path (the server refuses requests without it).
const [API_HOST_PORT, API_KEY] = process.env.AWS_LAMBDA_RUNTIME_API.split("/");
const [API_HOST, API_PORT] = API_HOST_PORT.split(":");
const API_PREFIX = (API_KEY ? "/" + API_KEY : "") + "/2018-06-01/runtime";
// What svl-tui tells this bootstrap (invokers/spawn.py, azure.py), taken out of the environment before any
// user code loads: a handler, and whatever it starts, sees only what Lambda gives it.
const OURS = {};
for (const name of ["SVL_LOG_FENCE", "SVL_STYLE", "SVL_AZURE_MODEL", "SVL_AZURE_FUNCTION_DIR", "SVL_NODE_EXTRA_CA_CERTS"]) {
  if (name in process.env) OURS[name] = process.env[name];
  delete process.env[name];
}
// The user's own NODE_EXTRA_CA_CERTS: node started with the certificates of it that it lacks (node_certs.py).
if (OURS.SVL_NODE_EXTRA_CA_CERTS !== undefined) process.env.NODE_EXTRA_CA_CERTS = OURS.SVL_NODE_EXTRA_CA_CERTS;
const FENCE = OURS.SVL_LOG_FENCE || "";
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT || process.cwd();
const HANDLER = process.env._HANDLER || "";
const AZURE = OURS.SVL_STYLE === "azure";
const JSON_LOGS = (process.env.AWS_LAMBDA_LOG_FORMAT || "").toUpperCase() === "JSON";
// `http` serves only a streamed response's chunked POST (responseStream): required there, not at every start
// (its modules are compiled from source when Lambda's heap flags are set, ~4 ms of CPU per cold start).
let streamAgent = null;

let currentRequestId = "";
let currentInvocation = null; // { id, settle(kind, payload) } while an invoke runs
let exitAfterReport = null; // set when a fatal error hit an invocation: report it, then exit
let onEmptyLoop = null; // what answers the invocation once the event loop drains (the RIC's beforeExit listener)

// ---- Runtime API client ------------------------------------------------------------

// One keep-alive connection on a raw socket, with a minimal HTTP/1.1 writer and reader: `http.request`
// costs far more CPU per exchange (an agent, a parser, streams), and this loop makes two exchanges per
// invocation. Answers carry a Content-Length and come in the order of the requests (an invocation's
// answer and the next request go out together: see answerAndNext). Between exchanges the socket is
// unref'd, as http's keep-alive agent does with a free socket.
const runtimeConnection = { socket: null, buffer: null, head: null, waiting: [] };

function connectRuntime() {
  const conn = runtimeConnection;
  const socket = net.connect({ host: API_HOST, port: Number(API_PORT) });
  socket.setNoDelay(true);
  conn.socket = socket;
  conn.buffer = null;
  conn.head = null;
  const fail = (err) => {
    if (conn.socket === socket) conn.socket = null;
    for (const waiting of conn.waiting.splice(0)) waiting.reject(err);
  };
  socket.on("data", (chunk) => {
    conn.buffer = conn.buffer ? Buffer.concat([conn.buffer, chunk]) : chunk;
    readAnswers(conn);
  });
  socket.on("error", fail);
  socket.on("close", () => fail(Object.assign(new Error("runtime API closed the connection"), { code: "ECONNRESET" })));
}

function readAnswers(conn) {
  while (conn.waiting.length && conn.buffer) {
    if (conn.head === null) {
      const end = conn.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = conn.buffer.toString("latin1", 0, end).split("\r\n");
      const headers = {};
      for (let i = 1; i < lines.length; i++) {
        const colon = lines[i].indexOf(":");
        if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
      }
      conn.buffer = conn.buffer.subarray(end + 4);
      const status = Number(lines[0].split(" ")[1]);
      if (status >= 100 && status < 200) continue; // an interim answer: the real one follows
      conn.head = { headers, length: Number(headers["content-length"] || 0) };
    }
    if (conn.buffer.length < conn.head.length) return;
    const body = Buffer.from(conn.buffer.subarray(0, conn.head.length));
    conn.buffer = conn.buffer.length > conn.head.length ? conn.buffer.subarray(conn.head.length) : null;
    const { headers } = conn.head;
    conn.head = null;
    const waiting = conn.waiting.shift();
    // idle between exchanges: the handler's event loop may drain (beforeExit)
    if (conn.socket && !conn.waiting.length) conn.socket.unref();
    waiting.resolve({ headers, body });
  }
}

function request(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const conn = runtimeConnection;
    if (conn.socket === null) connectRuntime();
    const data = body === undefined ? "" : String(body);
    let head = `${method} ${API_PREFIX}${route} HTTP/1.1\r\nHost: ${API_HOST_PORT}\r\nContent-Length: ${Buffer.byteLength(data)}\r\n`;
    for (const [key, value] of Object.entries(headers || {})) head += `${key}: ${value}\r\n`;
    conn.waiting.push({ resolve, reject });
    conn.socket.ref();
    conn.socket.write(head + "\r\n" + data);
  });
}

// An invocation's answer (what `send` posts) and the request for the next event in one write: the
// engine answers both together once there is an event, so each invocation costs one exchange.
async function answerAndNext(send) {
  const socket = runtimeConnection.socket;
  if (socket) socket.cork();
  const answered = send();
  const next = request("GET", "/invocation/next");
  if (socket) socket.uncork();
  next.catch(() => {}); // a failed answer is reported first; the next request fails with it
  await answered;
  return next;
}

// ---- the trace id ----------------------------------------------------------------------

// Each invoke's `_X_AMZN_TRACE_ID`, as the RIC forwards it (set, or deleted when the header is absent),
// without C's setenv: glibc keeps every distinct string ever set (~230 bytes an invoke, +8 % of a warm
// worker's memory over 20,000 invokes). `process.env` becomes a proxy of the real one that holds this
// one name in JavaScript: reads, `in`, keys, JSON, delete and assignment (coerced to a string) behave as
// on the real object, and children spawned with the default environment inherit the current value
// (child_process copies the keys it is given). Only native code calling getenv() sees the start value.
const TRACE = "_X_AMZN_TRACE_ID";
function traceIdInJavaScript() {
  const env = process.env;
  let present = TRACE in env;
  let value = present ? env[TRACE] : undefined;
  const own = (name) => name === TRACE;
  const descriptor = () => ({ value, writable: true, enumerable: true, configurable: true });
  process.env = new Proxy(env, {
    get: (target, name, receiver) => (own(name) ? value : Reflect.get(target, name, receiver)),
    set: (target, name, newValue) => {
      if (!own(name)) return Reflect.set(target, name, newValue);
      value = String(newValue); present = true; return true;
    },
    deleteProperty: (target, name) => {
      if (!own(name)) return Reflect.deleteProperty(target, name);
      value = undefined; present = false; return true;
    },
    has: (target, name) => (own(name) ? present : Reflect.has(target, name)),
    ownKeys: (target) => {
      const keys = Reflect.ownKeys(target).filter((name) => !own(name));
      return present ? keys.concat(TRACE) : keys;
    },
    getOwnPropertyDescriptor: (target, name) => {
      if (!own(name)) return Reflect.getOwnPropertyDescriptor(target, name);
      return present ? descriptor() : undefined;
    },
    defineProperty: (target, name, desc) => {
      if (!own(name)) return Reflect.defineProperty(target, name, desc);
      const plain = "value" in desc && desc.writable && desc.enumerable && desc.configurable;
      if (!plain) return Reflect.defineProperty(target, name, desc); // the real object's TypeError
      value = String(desc.value); present = true; return true;
    },
  });
  return (header) => { if (header) { value = header; present = true; } else { value = undefined; present = false; } };
}

// ---- logging -------------------------------------------------------------------------

function formatArgs(args) {
  if (args.length === 1 && args[0] !== null && typeof args[0] === "object" && !(args[0] instanceof Error)) {
    try {
      return JSON.stringify(args[0]); // logged objects stay structured
    } catch (_) { /* circular: fall back to inspect */ }
  }
  return util.format(...args);
}

function writeLog(level, message) {
  let line;
  if (JSON_LOGS) {
    line = JSON.stringify({ timestamp: new Date().toISOString(), level, requestId: currentRequestId, message });
  } else {
    line = `${new Date().toISOString()}\t${currentRequestId || "undefined"}\t${level}\t${message.replace(/\n/g, "\r")}`;
  }
  process.stdout.write(line + "\n");
}

function patchConsole() {
  const levels = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE" };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => writeLog(level, formatArgs(args));
  }
  console.fatal = (...args) => writeLog("FATAL", formatArgs(args));
}

function fence() {
  if (FENCE) {
    fs.writeSync(1, FENCE + "\n");
    fs.writeSync(2, FENCE + "\n");
  }
}

// Before answering an invocation: on Linux the engine counts what is in our pipes when the answer
// comes (writes to pipes are synchronous there) and delivers it first, so no fence is needed, only
// the answer saying so; elsewhere the fence is written.
function endOfOutput(headers) {
  if (FENCE && process.platform === "linux") headers["Svl-Output"] = "unfenced";
  else fence();
  return headers;
}

// ---- errors ----------------------------------------------------------------------------

// Our own frames and require-stack entries: a user never sees svl-tui's files in a trace.
function withoutOurFiles(text) {
  return text.split("\n").filter((line) => !line.includes(__filename)).join("\n");
}

function isErrorLike(err) { // the RIC's duck test: name, message and stack strings
  return err instanceof Error || (err !== null && typeof err === "object" && typeof err.name === "string" &&
    typeof err.message === "string" && typeof err.stack === "string");
}

function errorPayload(err, fallbackType) {
  if (isErrorLike(err)) {
    const trace = typeof err.stack === "string" ? withoutOurFiles(err.stack).split("\n") : [];
    return { errorType: err.name || fallbackType || "Error", errorMessage: withoutOurFiles(String(err.message)), trace };
  }
  // A non-Error value (callback(0), callback('oops'), a thrown object): its typeof and toString(), no trace.
  let message;
  try { message = err === undefined || err === null ? String(err) : err.toString(); } catch (_) { message = String(err); }
  return { errorType: fallbackType || typeof err, errorMessage: message, trace: [] };
}

async function postInitError(payload) {
  writeLog("ERROR", `Init Error \t${JSON.stringify(payload)}`);
  fence();
  await request("POST", "/init/error", JSON.stringify(payload),
    { "Lambda-Runtime-Function-Error-Type": payload.errorType });
  process.exit(1);
}

// ---- handler resolution ----------------------------------------------------------

// ES modules ignore NODE_PATH, yet on Lambda an ESM handler imports the bundled SDK and its layers'
// packages. A resolve hook retries a bare specifier that the usual lookup (the function's own
// node_modules) missed from each NODE_PATH folder, in order. Registered only when one exists:
// the hooks thread costs start-up time.
function resolveEsmAlsoFromNodePath() {
  const folders = (process.env.NODE_PATH || "").split(path.delimiter).filter((d) => d && fs.existsSync(d));
  const { register } = require("module");
  if (!folders.length || typeof register !== "function") return;
  const url = require("url");
  const parents = folders.map((d) => url.pathToFileURL(path.join(path.dirname(d), "svl-esm-parent.mjs")).href);
  const hooks = `const parents = ${JSON.stringify(parents)};
    export async function resolve(specifier, context, next) {
      try { return await next(specifier, context); } catch (err) {
        if (err?.code !== "ERR_MODULE_NOT_FOUND" || /^([./]|[a-z][a-z0-9+.-]*:)/i.test(specifier)) throw err;
        for (const parentURL of parents) {
          try { return await next(specifier, { ...context, parentURL }); } catch (_) { /* next folder */ }
        }
        throw err;
      }
    }`;
  register("data:text/javascript," + encodeURIComponent(hooks));
}

function isModulePackage(dir) {
  for (let current = dir; ; current = path.dirname(current)) {
    const pkg = path.join(current, "package.json");
    if (fs.existsSync(pkg)) {
      try { return JSON.parse(fs.readFileSync(pkg, "utf8")).type === "module"; } catch (_) { return false; }
    }
    if (path.dirname(current) === current) return false;
  }
}

function splitHandler(spec) {
  if (AZURE) {
    const [file, entry] = spec.split("#");
    return { modulePath: file.replace(/\.(js|mjs|cjs)$/, ""), exportName: entry || "", explicitExt: path.extname(file) };
  }
  const match = /^(.*?)\.([^./]+)$/.exec(spec);
  if (!match) return null;
  return { modulePath: match[1], exportName: match[2], explicitExt: "" };
}

async function loadHandler() {
  const parts = splitHandler(HANDLER);
  if (!parts) {
    return { error: { errorType: "Runtime.MalformedHandlerName", errorMessage: `Bad handler ${HANDLER}`, trace: [] } };
  }
  const base = path.resolve(TASK_ROOT, parts.modulePath);
  const candidates = parts.explicitExt ? [base + parts.explicitExt] : [".js", ".mjs", ".cjs"].map((ext) => base + ext);
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) {
    return { error: { errorType: "Runtime.ImportModuleError",
      errorMessage: `Error: Cannot find module '${parts.modulePath}'`, trace: [] } };
  }
  let mod;
  try {
    const esm = file.endsWith(".mjs") || (file.endsWith(".js") && isModulePackage(path.dirname(file)));
    if (esm) resolveEsmAlsoFromNodePath();
    mod = esm ? await import(require("url").pathToFileURL(file).href) : require(file);
  } catch (err) {
    if (err instanceof SyntaxError) {
      return { error: { errorType: "Runtime.UserCodeSyntaxError", errorMessage: `${err.name}: ${err.message}`,
        trace: withoutOurFiles(err.stack || "").split("\n") } };
    }
    if (err && err.code === "MODULE_NOT_FOUND" || err && err.code === "ERR_MODULE_NOT_FOUND") {
      return { error: { errorType: "Runtime.ImportModuleError", errorMessage: `Error: ${withoutOurFiles(err.message)}`,
        trace: withoutOurFiles(err.stack || "").split("\n") } };
    }
    return { error: errorPayload(err) };
  }
  let handler;
  if (parts.exportName) {
    handler = mod[parts.exportName];
    if (handler === undefined && mod.default && typeof mod.default === "object") handler = mod.default[parts.exportName];
  } else {
    handler = typeof mod === "function" ? mod : (mod.default || Object.values(mod).find((v) => typeof v === "function"));
  }
  const label = `${parts.modulePath}.${parts.exportName || "default"}`;
  if (handler === undefined) {
    return { error: { errorType: "Runtime.HandlerNotFound", errorMessage: `${label} is undefined or not exported`, trace: [] } };
  }
  if (typeof handler !== "function") {
    return { error: { errorType: "Runtime.HandlerNotFound", errorMessage: `${label} is not a function`, trace: [] } };
  }
  return { handler };
}

// ---- response streaming (the RIC's `awslambda` global) ------------------------------

const HANDLER_STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const STREAM_RESPONSE = "response";
const PRELUDE_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";

class HttpResponseStream {
  // The JSON prelude ({statusCode, headers, cookies}) then 8 NUL bytes, before the body's first byte.
  static from(stream, prelude) {
    stream.setContentType(PRELUDE_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => { write(metadata); write(new Uint8Array(8)); };
    return stream;
  }
}

globalThis.awslambda = {
  streamifyResponse: (handler) => { handler[HANDLER_STREAMING] = STREAM_RESPONSE; return handler; },
  HttpResponseStream,
};

// The response stream a streaming handler writes to: a chunked POST to the Runtime API, as the RIC
// sends it; an error after the first byte travels in the trailers.
function responseStream(requestId, started) {
  const http = require("http");
  streamAgent = streamAgent || new http.Agent({ keepAlive: true, maxSockets: 1 });
  const req = http.request({
    host: API_HOST, port: Number(API_PORT), method: "POST", agent: streamAgent,
    path: `${API_PREFIX}/invocation/${requestId}/response`,
    headers: { "Lambda-Runtime-Function-Response-Mode": "streaming", "Transfer-Encoding": "chunked",
      "Content-Type": "application/octet-stream",
      Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body" },
  });
  const responded = new Promise((resolve) => {
    req.on("response", (res) => { res.resume(); res.on("end", resolve); });
    req.on("error", resolve);
  });
  const write = req.write.bind(req);
  const end = req.end.bind(req);
  let begun = false;
  const begin = () => {
    if (begun) return;
    begun = true;
    if (typeof req._onBeforeFirstWrite === "function") req._onBeforeFirstWrite((chunk) => write(chunk));
  };
  req.setContentType = (type) => req.setHeader("Content-Type", type);
  req.write = (chunk, encoding, cb) => {
    begin();
    if (typeof chunk !== "string" && !Buffer.isBuffer(chunk) && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
    return write(chunk, encoding, cb);
  };
  req.end = (chunk, encoding, cb) => {
    if (typeof chunk === "function") { cb = chunk; chunk = undefined; }
    if (chunk !== undefined && chunk !== null) req.write(chunk, encoding);
    begin();
    if (!req.writableEnded) {
      req.addTrailers(span(started));
      fence();
    }
    return end(cb);
  };
  const fail = (err) => failWith(errorPayload(err));
  const failWith = (payload) => {
    writeLog("ERROR", `Invoke Error \t${JSON.stringify(payload)}`);
    if (req.writableEnded) return;
    begin();
    req.addTrailers(Object.assign({ "Lambda-Runtime-Function-Error-Type": payload.errorType,
      "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(payload)).toString("base64") }, span(started)));
    fence();
    end();
  };
  return { stream: req, responded, fail, failWith };
}

async function invokeStreaming(handler, headers, event, started) {
  const requestId = headers["lambda-runtime-aws-request-id"];
  const { stream, responded, fail, failWith } = responseStream(requestId, started);
  // An uncaught exception while streaming ends the stream with its error (then the environment exits).
  let abort;
  const aborted = new Promise((resolve) => { abort = resolve; });
  currentInvocation = { id: requestId, settle: (_kind, payload) => { failWith(payload); abort(); } };
  const { answer } = callbackContext(() => {});
  try {
    const result = handler(event, stream, lambdaContext(headers, answer));
    if (!result || typeof result.then !== "function") {
      fail("Streaming does not support non-async handlers.");
    } else {
      const value = await Promise.race([result, aborted]);
      if (value !== undefined) console.warn("Streaming handlers ignore return values.");
      if (!stream.writableEnded) fail("Response stream is not finished.");
    }
  } catch (err) {
    fail(err);
  }
  currentInvocation = null;
  await responded;
  return ["streamed", null];
}

// Azure Functions (both programming models) live in their own module: see azure_node.js.
async function loadAzureFunction() {
  const v3Handler = async () => {
    const loaded = await loadHandler();
    if (loaded.error) throw Object.assign(new Error(loaded.error.errorMessage), { svlInitError: loaded.error });
    return loaded.handler;
  };
  try {
    const settings = { model: OURS.SVL_AZURE_MODEL, functionDir: OURS.SVL_AZURE_FUNCTION_DIR };
    return { handler: await require("./azure_node.js").loadAzureHandler(TASK_ROOT, HANDLER, writeLog, v3Handler,
      settings) };
  } catch (err) {
    return { error: err.svlInitError || errorPayload(err, err instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : undefined) };
  }
}

// ---- one invocation ----------------------------------------------------------------

function lambdaContext(headers, answer) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  return Object.assign(answer, {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: headers["lambda-runtime-cognito-identity"] ? JSON.parse(headers["lambda-runtime-cognito-identity"]) : undefined,
    clientContext: headers["lambda-runtime-client-context"] ? JSON.parse(headers["lambda-runtime-client-context"]) : undefined,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  });
}

// The RIC's callback context: `callback(err, value)` fails whenever err is neither undefined nor
// null (callback(0) and callback('') are errors); with callbackWaitsForEmptyEventLoop (the default)
// a successful callback answers only once the event loop is empty; context.done/succeed/fail answer
// at once; only the first of all these calls counts.
function callbackContext(settle) {
  let waits = true;
  let called = false;
  const once = (fn) => (...args) => { if (!called) { called = true; fn(...args); } };
  const fail = (err) => settle("error", errorPayload(err));
  const done = (err, value) => {
    onEmptyLoop = null;
    if (err !== undefined && err !== null) fail(err); else settle("response", value);
  };
  const callback = once((err, value) => {
    onEmptyLoop = null;
    if (err !== undefined && err !== null) fail(err);
    else if (!waits) settle("response", value);
    else onEmptyLoop = () => setImmediate(() => settle("response", value));
  });
  const answer = {
    get callbackWaitsForEmptyEventLoop() { return waits; },
    set callbackWaitsForEmptyEventLoop(value) { waits = value; },
    done: once(done),
    succeed: once((value) => done(null, value)),
    fail: once((err) => done(err === undefined || err === null ? "handled" : err)),
  };
  return { callback, answer };
}

async function invoke(handler, headers, body, started) {
  const requestId = headers["lambda-runtime-aws-request-id"];
  let event;
  try {
    event = body.length ? JSON.parse(body.toString("utf8")) : null;
  } catch (err) {
    return ["error", { errorType: "Runtime.UnmarshalError", errorMessage: `Unable to parse event: ${err.message}`, trace: [] }];
  }
  if (handler[HANDLER_STREAMING] === STREAM_RESPONSE) return invokeStreaming(handler, headers, event, started);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (kind, payload) => {
      if (settled) return;
      settled = true;
      onEmptyLoop = null;
      currentInvocation = null;
      resolve([kind, payload]);
    };
    currentInvocation = { id: requestId, settle };
    try {
      if (AZURE) {
        handler(event, requestId).then((value) => settle("response", value), (err) => settle("error", errorPayload(err)));
        return;
      }
      // The event loop drained and nothing answered: an async handler whose promise never settled
      // fails (as the RIC's NodeJsExit), any other answers null (a sync return value is ignored).
      const isAsync = handler.constructor && handler.constructor.name === "AsyncFunction";
      onEmptyLoop = () => settle(isAsync ? "error" : "response", isAsync ? errorPayload(new NodeJsExit()) : null);
      const { callback, answer } = callbackContext(settle);
      const result = handler(event, lambdaContext(headers, answer), callback);
      if (result && typeof result.then === "function") result.then(answer.succeed, answer.fail);
    } catch (err) {
      settle("error", errorPayload(err));
    }
  });
}

class NodeJsExit extends Error {
  constructor() {
    super("The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a " +
      "Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes");
    this.name = "Runtime.NodeJsExit";
  }
}

// The invoke's own span, measured here: the engine's clock would also count however long its
// event loop (a busy UI) took to read the answer.
function span(started) {
  const times = { "Svl-Started-At": String(started), "Svl-Ended-At": String(Number(process.hrtime.bigint()) / 1e9) };
  // A fatal error: this process exits right after reporting, so the engine must not send it another event.
  if (exitAfterReport !== null) times["Svl-Exiting"] = "1";
  return times;
}

async function report(requestId, kind, payload, started) {
  if (kind === "response") {
    let data;
    try {
      data = JSON.stringify(payload === undefined ? null : payload);
    } catch (err) {
      kind = "error";
      payload = { errorType: "Runtime.MarshalError", errorMessage: `Unable to stringify response body: ${err.message}`, trace: [] };
    }
    if (kind === "response") {
      await request("POST", `/invocation/${requestId}/response`, data, endOfOutput(span(started)));
      return;
    }
  }
  const times = span(started);
  if (!AZURE) writeLog("ERROR", `Invoke Error \t${JSON.stringify(payload)}`); // Azure: the host's Executed lines say it
  await request("POST", `/invocation/${requestId}/error`, JSON.stringify(payload),
    Object.assign({ "Lambda-Runtime-Function-Error-Type": payload.errorType }, endOfOutput(times)));
}

function failFatally(err, errorType, exitCode) {
  const payload = errorPayload(err, errorType);
  if (errorType === "Runtime.UnhandledPromiseRejection") {
    payload.errorType = errorType;
    payload.errorMessage = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  const invocation = currentInvocation;
  if (invocation) {
    invocation.settle("error", payload); // reported by the main loop, then we exit
    exitAfterReport = exitCode;
  } else {
    writeLog("ERROR", `Uncaught Exception \t${JSON.stringify(payload)}`);
    process.exit(exitCode);
  }
}

// The engine is gone: kill every process carrying this environment's key (the handler's children,
// setsid daemons included: they inherit AWS_LAMBDA_RUNTIME_API), then our own process group.
function endEnvironment() {
  if (API_KEY && fs.existsSync("/proc")) {
    for (const name of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      try {
        if (fs.readFileSync(`/proc/${name}/environ`).includes(API_KEY)) process.kill(Number(name), "SIGKILL");
      } catch (_) { /* gone, or not ours */ }
    }
  }
  try { process.kill(-process.pid, "SIGKILL"); } catch (_) { /* not a group leader */ }
  process.exit(0);
}

async function main() {
  const stdinWatch = process.stdin; // the engine's end closing means it is gone: exit, no orphans
  stdinWatch.on("end", endEnvironment);
  stdinWatch.on("error", endEnvironment);
  stdinWatch.resume();
  if (typeof stdinWatch.unref === "function") stdinWatch.unref(); // watching must not keep the event loop alive
  process.on("beforeExit", () => { // the event loop drained: callbackWaitsForEmptyEventLoop's moment
    const run = onEmptyLoop;
    onEmptyLoop = null;
    if (run) run();
  });
  patchConsole();
  const setTraceId = traceIdInJavaScript();
  process.on("uncaughtException", (err) => failFatally(err, undefined, 129));
  process.on("unhandledRejection", (reason) => failFatally(reason, "Runtime.UnhandledPromiseRejection", 128));
  const loaded = AZURE ? await loadAzureFunction() : await loadHandler();
  if (loaded.error) return postInitError(loaded.error);
  fence(); // import-time output comes before START
  let next = await request("GET", "/invocation/next", undefined,
    { "Svl-Ready-At": String(Number(process.hrtime.bigint()) / 1e9) });
  for (;;) {
    const started = Number(process.hrtime.bigint()) / 1e9;
    currentRequestId = next.headers["lambda-runtime-aws-request-id"];
    setTraceId(next.headers["lambda-runtime-trace-id"]);
    const [kind, payload] = await invoke(loaded.handler, next.headers, next.body, started);
    if (exitAfterReport !== null) { // a fatal error: report it, ask for nothing more, exit
      if (kind !== "streamed") await report(currentRequestId, kind, payload, started);
      process.exit(exitAfterReport);
    }
    next = kind === "streamed" ? await request("GET", "/invocation/next")
      : await answerAndNext(() => report(currentRequestId, kind, payload, started));
  }
}

main().catch((err) => {
  if (err && (err.code === "ECONNREFUSED" || err.code === "ECONNRESET")) process.exit(0);
  process.stderr.write(`svl-tui node bootstrap failed: ${err && err.stack || err}\n`);
  process.exit(2);
});
