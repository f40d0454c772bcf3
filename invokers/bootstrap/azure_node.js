// Azure Functions for the Node bootstrap: both programming models, every common trigger.
//
// Model v4 (`app.http(...)` in code, no function.json): the app's own `@azure/functions` package is
// driven the way the Azure Functions host drives it. The host's worker provides a module named
// `@azure/functions-core` (registerFunction, setProgrammingModel, ...); we provide the same module,
// so the real library registers its functions with us and converts each invocation with its own
// InvocationModel (request objects, InvocationContext, output bindings). Nothing is mocked in the
// library: a request is the library's HttpRequest, a response goes through its HttpResponse.
//
// Model v3 (a folder per function with function.json): `function (context, ...inputs)`, with
// `context.bindings`, `context.res`, `context.log`, as the v3 host gives them.
//
// Discovery runs this file as a script (`node azure_node.js --discover APP_ROOT`): it loads the app's
// entry files and prints what was registered. The engine never loads user code in its own process.
"use strict";

const Module = require("module");
const path = require("path");
const fs = require("fs");
const util = require("util");
// The host's invocation data, loaded by absolute path (never through the handler's module path).
const { bytesOf, envelope, triggerData, inputData, inputValue, fromTyped, fromCookie, streamedHttpData, sendToProxy }
  = require(path.join(__dirname, "azure_node_data.js"));

const DISCOVERY_MARK = "\u001esvl-azure-discovery ";
const SKIP_DIRS = new Set(["node_modules", ".git", ".svl", ".venv", "venv"]);

// ---- the host's side of @azure/functions: @azure/functions-core ---------------------------

class Disposable {
  constructor(callOnDispose) { this._callOnDispose = callOnDispose; }
  static from(...items) { return new Disposable(() => items.forEach((item) => item.dispose())); }
  dispose() { if (this._callOnDispose) { this._callOnDispose(); this._callOnDispose = undefined; } }
}

function userFrame(stack, appRoot) {
  // The first stack frame in the app's own code (not node_modules, not ours): where it registered.
  for (const line of String(stack || "").split("\n").slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!match || line.includes("(node:") || line.includes(" node:")) continue;  // Node's own frames
    const file = match[1].replace(/^file:\/\//, "");
    if (file === __filename || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (appRoot && !file.startsWith(appRoot)) continue;
    return { file, line: Number(match[2]) };
  }
  return { file: "", line: 0 };
}

function createCore(appRoot, systemLog) {
  const state = { functions: [], model: null, hooks: {} };
  const core = {
    version: "3.10.1",
    Disposable,
    registerFunction(metadata, callback) {
      state.functions.push({ metadata, callback, where: userFrame(new Error().stack, appRoot) });
      return new Disposable(() => { state.functions = state.functions.filter((f) => f.metadata !== metadata); });
    },
    setProgrammingModel(model) { state.model = model; },
    getProgrammingModel() { return state.model; },
    registerHook(name, callback) {
      (state.hooks[name] = state.hooks[name] || []).push(callback);
      return new Disposable(() => { state.hooks[name] = state.hooks[name].filter((c) => c !== callback); });
    },
    log(level, category, message) { systemLog(level, category, message); },
  };
  const originalRequire = Module.prototype.require;
  Module.prototype.require = function require(id) {
    if (id === "@azure/functions-core") return core;
    return originalRequire.apply(this, arguments);
  };
  return state;
}

// ---- the app's entry files: package.json "main", globs allowed ---------------------------------

function globToRegExp(pattern) {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      source += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "{") source += "(?:";
    else if (c === "}") source += ")";
    else if (c === ",") source += pattern.slice(0, i).lastIndexOf("{") > pattern.slice(0, i).lastIndexOf("}") ? "|" : ",";
    else source += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function walk(dir, base, out) {
  let entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch (_) { return; }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith(".")) walk(path.join(dir, entry.name), `${base}${entry.name}/`, out);
    } else {
      out.push(`${base}${entry.name}`);
    }
  }
}

function entryFiles(appRoot) {
  // Like the Azure Node worker: "main" of package.json, a file or a glob; "index.js" when absent.
  let main;
  try {
    main = JSON.parse(fs.readFileSync(path.join(appRoot, "package.json"), "utf8")).main;
  } catch (err) {
    throw new Error(`${path.join(appRoot, "package.json")}: ${err.message}`);
  }
  main = String(main || "index.js").replace(/^\.\//, "");
  if (!/[*?{]/.test(main)) return [path.join(appRoot, main)];
  const matcher = globToRegExp(main);
  const files = [];
  walk(appRoot, "", files);
  return files.filter((file) => matcher.test(file)).sort().map((file) => path.join(appRoot, file));
}

function isModulePackage(appRoot) {
  try { return JSON.parse(fs.readFileSync(path.join(appRoot, "package.json"), "utf8")).type === "module"; } catch (_) { return false; }
}

async function loadEntries(appRoot, onError) {
  const esmPackage = isModulePackage(appRoot);
  for (const file of entryFiles(appRoot)) {
    try {
      if (!fs.existsSync(file)) throw Object.assign(new Error(`entry file ${path.relative(appRoot, file)} (package.json "main") does not exist`), { svlWhere: { file: path.join(appRoot, "package.json"), line: 0 } });
      const esm = file.endsWith(".mjs") || (file.endsWith(".js") && esmPackage);
      if (esm) await import(require("url").pathToFileURL(file).href);
      else require(file);
    } catch (err) {
      onError(file, err);
    }
  }
}

// ---- discovery: what the app registers ----------------------------------------------------------

function errorWhere(file, err) {
  if (err && err.svlWhere) return err.svlWhere;
  if (err instanceof SyntaxError) {
    const match = /^(\/[^\n:]+):(\d+)/.exec(String(err.stack || ""));
    if (match) return { file: match[1], line: Number(match[2]) };
  }
  const where = userFrame(err && err.stack, "");
  return where.file ? where : { file, line: 0 };
}

function loadError(root, file, err) {
  // Why an entry file did not load, in words that say what to do; a missing @azure/functions is a fresh
  // clone before `npm install` (Python's discovery says the same of azure-functions).
  const relative = path.relative(root, file);
  const message = String(err && err.message || err);
  if (err && err.code === "MODULE_NOT_FOUND" && message.startsWith("Cannot find module '@azure/functions'")) {
    return `${relative} needs the '@azure/functions' package, which this project does not have: add it to ` +
      "package.json's dependencies and run npm install";
  }
  const first = err && err.code === "MODULE_NOT_FOUND" ? message.split("\nRequire stack:")[0] : message;
  return `${err && err.name || "Error"} while loading ${relative}: ${first}`;
}

async function discover(appRoot) {
  const root = path.resolve(appRoot);
  const state = createCore(root, () => {});
  const problems = [];
  const quiet = (...args) => process.stderr.write(util.format(...args) + "\n");
  console.log = console.info = console.warn = console.debug = quiet;
  try {
    await loadEntries(root, (file, err) => {
      const where = errorWhere(file, err);
      problems.push({ file: where.file, line: where.line, message: loadError(root, file, err) });
    });
  } catch (err) {
    problems.push({ file: path.join(root, "package.json"), line: 0, message: String(err && err.message || err) });
  }
  const functions = state.functions.map((f) => ({
    name: f.metadata.name,
    bindings: Object.entries(f.metadata.bindings).map(([name, b]) => Object.assign({}, b, { name })),
    file: f.where.file, line: f.where.line, retry: f.metadata.retryOptions,
  }));
  process.stdout.write(DISCOVERY_MARK + JSON.stringify({ functions, problems }) + "\n");
}

// ---- model v4 -----------------------------------------------------------------------------------

const LEVELS = { trace: "TRACE", debug: "DEBUG", information: "INFO", warning: "WARN", error: "ERROR", critical: "FATAL", none: "INFO" };

async function loadV4(appRoot, functionName, writeLog) {
  const state = createCore(path.resolve(appRoot), (level, category, message) => {
    if (category === "user" || level === "warning" || level === "error") writeLog(LEVELS[level] || "INFO", message);
  });
  let failure = null;
  await loadEntries(path.resolve(appRoot), (file, err) => { if (!failure) failure = err; });
  const registered = state.functions.find((f) => f.metadata.name === functionName);
  if (!registered) {
    if (failure) throw failure;
    const names = state.functions.map((f) => f.metadata.name).join(", ") || "none";
    throw Object.assign(new Error(`function '${functionName}' is not registered by the app (registered: ${names})`),
      { name: "Runtime.HandlerNotFound" });
  }
  if (!state.model) throw new Error("@azure/functions did not set its programming model");
  // As the host's worker starts an app: appStart hooks, then the library's capabilities (which start
  // its HTTP proxy when the app called app.setup({ enableHttpStream: true })).
  const appHookData = {};
  for (const hook of state.hooks.appStart || []) await hook({ hookData: appHookData, functionAppDirectory: appRoot });
  const capabilities = state.model.getCapabilities ? await state.model.getCapabilities({}) : {};
  const bindings = registered.metadata.bindings;
  const triggerName = Object.keys(bindings).find((name) => /trigger$/i.test(bindings[name].type));
  const isHttp = String(bindings[triggerName].type).toLowerCase() === "httptrigger";
  const proxy = isHttp && capabilities.HttpUri ? capabilities.HttpUri : null;
  return async (event, invocationId) => {
    const { data, metadata } = proxy ? streamedHttpData(event || {}) : triggerData(bindings[triggerName], event || {});
    const coreCtx = {
      invocationId,
      metadata: registered.metadata,
      request: { invocationId, functionId: functionName, inputData: [{ name: triggerName, data }, ...inputData(event)],
        triggerMetadata: metadata,
        retryContext: (event && event.retryContext) || undefined },
      state: "invocation",
      log: (level, category, message) => writeLog(LEVELS[level] || "INFO", message),
    };
    const proxied = proxy ? sendToProxy(proxy, event || {}, invocationId) : null;
    try {
      const model = state.model.getInvocationModel(coreCtx);
      const { context, inputs } = await model.getArguments();
      const pre = { hookData: {}, appHookData, invocationContext: context, inputs, functionCallback: registered.callback };
      coreCtx.state = "preInvocationHooks";
      for (const hook of state.hooks.preInvocation || []) await hook(pre);
      coreCtx.state = "invocation";
      const post = { hookData: pre.hookData, appHookData, invocationContext: context, inputs: pre.inputs };
      try {
        post.result = await model.invokeFunction(context, pre.inputs, pre.functionCallback);
      } catch (err) {
        post.error = err;
      }
      coreCtx.state = "postInvocationHooks";
      for (const hook of state.hooks.postInvocation || []) await hook(post);
      if (post.error) throw withoutOurFrames(post.error);
      const response = await model.getResponse(context, post.result);
      const outputs = {};
      for (const item of response.outputData || []) outputs[item.name] = fromTyped(item.data);
      const returned = proxied ? await proxied.response : response.returnValue === undefined ? null : fromTyped(response.returnValue);
      return { response: returned, outputs };
    } finally {
      if (proxied) proxied.abort();
    }
  };
}

function withoutOurFrames(err) {
  // The user's frames only, as the Azure host shows them: not ours, not the library's driver.
  if (err instanceof Error && typeof err.stack === "string") {
    err.stack = err.stack.split("\n").filter((line) => !line.includes(__filename)
      && !/@azure[\\/]functions[\\/]dist|node:internal|Generator\.next|new Promise \(<anonymous>\)/.test(line)).join("\n");
  }
  return err;
}

// ---- model v3 (function.json) ---------------------------------------------------------------------

function readBindings(functionDir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(functionDir, "function.json"), "utf8")).bindings || [];
  } catch (_) {
    return [];
  }
}

function parsedIfJson(value) {
  if (typeof value !== "string") return value;
  try { return JSON.parse(value); } catch (_) { return value; }
}

function camel(key) { return key.charAt(0).toLowerCase() + key.slice(1); }

function v3Invoker(handler, functionDir, writeLog) {
  const bindings = readBindings(functionDir);
  const trigger = bindings.find((b) => /trigger$/i.test(String(b.type))) || { type: "httpTrigger", name: "req" };
  const outputs = bindings.filter((b) => b.direction === "out");
  return async (event, invocationId) => {
    const isHttp = String(trigger.type).toLowerCase() === "httptrigger";
    let input;
    let bindingData = { invocationId };
    if (isHttp) {
      const { svlInputs, retryContext, ...request } = event; // eslint-disable-line no-unused-vars
      input = request;
      Object.assign(bindingData, event.params || {}, event.query || {});
    } else {
      const { data, metadata, encoding } = envelope(event);
      // The v3 worker hands JSON text (a queue message) over parsed, as the v4 library does.
      input = String(trigger.type).toLowerCase() === "blobtrigger" ? bytesOf(data, encoding) : parsedIfJson(data);
      for (const [key, value] of Object.entries(metadata)) bindingData[camel(key)] = value;
    }
    const log = (...args) => writeLog("INFO", util.format(...args));
    log.info = log;
    log.verbose = (...args) => writeLog("DEBUG", util.format(...args));
    log.warn = (...args) => writeLog("WARN", util.format(...args));
    log.error = (...args) => writeLog("ERROR", util.format(...args));
    let settle;
    let doneCalled = false;
    const settled = new Promise((resolve, reject) => { settle = (err, value) => (err ? reject(err) : resolve(value)); });
    const context = {
      invocationId,
      executionContext: { invocationId, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionDirectory: functionDir,
        retryContext: (event && event.retryContext) || null },
      bindings: Object.assign({ [trigger.name]: input },
        ...Object.entries((event && event.svlInputs) || {}).map(([name, typed]) => ({ [name]: inputValue(typed) }))),
      bindingData,
      log,
      res: undefined,
      done: (err, value) => { doneCalled = true; settle(err, value); },
    };
    if (isHttp) context.req = input;
    const returned = handler(context, input);
    // v3: an async function ends when its promise settles, any other when it calls context.done().
    const result = returned && typeof returned.then === "function" ? await returned
      : returned !== undefined && !doneCalled ? returned : await settled;
    return v3Outputs(context, outputs, result, isHttp);
  };
}

function v3Outputs(context, outputs, returned, isHttp) {
  const out = {};
  let response = null;
  for (const binding of outputs) {
    const fromReturn = binding.name === "$return";
    let value = fromReturn ? returned : context.bindings[binding.name];
    if (String(binding.type).toLowerCase() === "http") {
      if (value === undefined) value = context.res;
      if (fromReturn || isHttp) { response = httpResponse(value); continue; }
    }
    if (fromReturn) response = value === undefined ? null : value;
    else if (value !== undefined) out[binding.name] = value;
  }
  if (isHttp && !outputs.some((b) => String(b.type).toLowerCase() === "http")) {
    response = httpResponse(returned !== undefined ? returned : context.res);
  }
  return { response, outputs: out };
}

function httpResponse(res) {
  if (res === undefined) return { status: 204, headers: {}, body: null };
  if (res === null || typeof res !== "object") return { status: 200, headers: {}, body: res };
  const body = res.jsonBody !== undefined ? res.jsonBody : res.body;
  const response = { status: Number(res.status || res.statusCode || 200), headers: res.headers || {}, body: body === undefined ? null : body };
  if (res.cookies && res.cookies.length) response.cookies = res.cookies.map(fromCookie);
  return response;
}

// ---- the bootstrap's entry point --------------------------------------------------------------

// An Azure function as `async (event, invocationId) => ({response, outputs})`; `handlerSpec` is the
// function name (v4: settings.model, SVL_AZURE_MODEL=v4) or `file#entryPoint` (v3). `settings` holds what
// the engine said in SVL_AZURE_*, which node_runtime.js takes out of the handler's environment.
async function loadAzureHandler(taskRoot, handlerSpec, writeLog, loadV3Handler, settings) {
  if (settings.model === "v4") return loadV4(taskRoot, handlerSpec, writeLog);
  const handler = await loadV3Handler();
  // The function's folder (its function.json), which a scriptFile such as ../dist/x/index.js leaves
  return v3Invoker(handler, settings.functionDir || taskRoot, writeLog);
}

module.exports = { loadAzureHandler };

if (require.main === module && process.argv[2] === "--discover") {
  discover(process.argv[3] || process.cwd()).catch((err) => {
    process.stderr.write(`svl-tui azure discovery failed: ${err && err.stack || err}\n`);
    process.exit(2);
  });
}
