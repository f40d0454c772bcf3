// Console capture, the output fence and error payloads of the Node bootstrap (node_runtime.js).
// Loaded by absolute path from node_runtime.js, never through the handler's module path.
"use strict";

const fs = require("fs");
const path = require("path");
const util = require("util");

const JSON_LOGS = (process.env.AWS_LAMBDA_LOG_FORMAT || "").toUpperCase() === "JSON";
// What every log line carries: the invocation's request id (set by the main loop) and the engine's fence.
const state = { requestId: "", fence: "" };
// The bootstrap's own files: their frames never show in a user's trace.
const OUR_FILES = ["node_runtime.js", "node_runtime_api.js", "node_logs.js", "node_handler.js"]
  .map((name) => path.join(__dirname, name));

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
    line = JSON.stringify({ timestamp: new Date().toISOString(), level, requestId: state.requestId, message });
  } else {
    line = `${new Date().toISOString()}\t${state.requestId || "undefined"}\t${level}\t${message.replace(/\n/g, "\r")}`;
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
  if (state.fence) {
    fs.writeSync(1, state.fence + "\n");
    fs.writeSync(2, state.fence + "\n");
  }
}

// Before answering an invocation: on Linux the engine counts what is in our pipes when the answer
// comes (writes to pipes are synchronous there) and delivers it first, so no fence is needed, only
// the answer saying so; elsewhere the fence is written.
function endOfOutput(headers) {
  if (state.fence && process.platform === "linux") headers["Svl-Output"] = "unfenced";
  else fence();
  return headers;
}

// ---- errors ----------------------------------------------------------------------------

// Our own frames and require-stack entries: a user never sees svl-tui's files in a trace.
function withoutOurFiles(text) {
  return text.split("\n").filter((line) => !OUR_FILES.some((file) => line.includes(file))).join("\n");
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

module.exports = { state, writeLog, patchConsole, fence, endOfOutput, withoutOurFiles, errorPayload };
