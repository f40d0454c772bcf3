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

const path = require("path");
const fs = require("fs");

// What svl-tui tells this bootstrap (invokers/spawn.py, azure.py), taken out of the environment before any
// user code loads: a handler, and whatever it starts, sees only what Lambda gives it.
const OURS = {};
for (const name of ["SVL_LOG_FENCE", "SVL_STYLE", "SVL_AZURE_MODEL", "SVL_AZURE_FUNCTION_DIR", "SVL_NODE_EXTRA_CA_CERTS"]) {
  if (name in process.env) OURS[name] = process.env[name];
  delete process.env[name];
}
// The user's own NODE_EXTRA_CA_CERTS: node started with the certificates of it that it lacks (node_certs.py).
if (OURS.SVL_NODE_EXTRA_CA_CERTS !== undefined) process.env.NODE_EXTRA_CA_CERTS = OURS.SVL_NODE_EXTRA_CA_CERTS;
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT || process.cwd();
const HANDLER = process.env._HANDLER || "";
const AZURE = OURS.SVL_STYLE === "azure";
// The bootstrap's own modules, by absolute path: the handler's module path never includes this folder.
const { API_HOST, API_PORT, API_KEY, API_PREFIX, request, answerAndNext } = require(path.join(__dirname, "node_runtime_api.js"));
const logs = require(path.join(__dirname, "node_logs.js"));
const { writeLog, patchConsole, fence, endOfOutput, errorPayload } = logs;
const { loadHandler, loadAzureFunction } = require(path.join(__dirname, "node_handler.js"));
logs.state.fence = OURS.SVL_LOG_FENCE || "";
// `http` serves only a streamed response's chunked POST (responseStream): required there, not at every start
// (its modules are compiled from source when Lambda's heap flags are set, ~4 ms of CPU per cold start).
let streamAgent = null;

let currentRequestId = "";
let currentInvocation = null; // { id, settle(kind, payload) } while an invoke runs
let exitAfterReport = null; // set when a fatal error hit an invocation: report it, then exit
let onEmptyLoop = null; // what answers the invocation once the event loop drains (the RIC's beforeExit listener)

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

async function postInitError(payload) {
  writeLog("ERROR", `Init Error \t${JSON.stringify(payload)}`);
  fence();
  await request("POST", "/init/error", JSON.stringify(payload),
    { "Lambda-Runtime-Function-Error-Type": payload.errorType });
  process.exit(1);
}

// The engine is gone: kill every process carrying this environment's key (the handler's children,
// setsid daemons included: they inherit AWS_LAMBDA_RUNTIME_API), then our own process group.
function endEnvironment() {
  // Only a whole entry AWS_LAMBDA_RUNTIME_API=<this address with its 128-bit key> marks a process of this
  // environment: a short or missing key (the bootstrap run by hand) must never match other processes.
  if (API_KEY && API_KEY.length >= 32 && fs.existsSync("/proc")) {
    const mark = Buffer.from(`\0AWS_LAMBDA_RUNTIME_API=${API_HOST}:${API_PORT}/${API_KEY}\0`);
    for (const name of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      try {
        const environ = Buffer.concat([Buffer.from("\0"), fs.readFileSync(`/proc/${name}/environ`)]);
        if (environ.includes(mark)) process.kill(Number(name), "SIGKILL");
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
  const loaded = AZURE ? await loadAzureFunction(TASK_ROOT, HANDLER,
    { model: OURS.SVL_AZURE_MODEL, functionDir: OURS.SVL_AZURE_FUNCTION_DIR }) : await loadHandler(TASK_ROOT, HANDLER, false);
  if (loaded.error) return postInitError(loaded.error);
  fence(); // import-time output comes before START
  let next = await request("GET", "/invocation/next", undefined,
    { "Svl-Ready-At": String(Number(process.hrtime.bigint()) / 1e9) });
  for (;;) {
    const started = Number(process.hrtime.bigint()) / 1e9;
    currentRequestId = logs.state.requestId = next.headers["lambda-runtime-aws-request-id"];
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
