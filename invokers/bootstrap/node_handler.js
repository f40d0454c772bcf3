// Handler loading for the Node bootstrap (node_runtime.js): Lambda's handler resolution (CommonJS and ES
// modules) and its Runtime.* init errors, or an Azure function through azure_node.js.
// Loaded by absolute path from node_runtime.js, never through the handler's module path.
"use strict";

const path = require("path");
const fs = require("fs");
const { writeLog, withoutOurFiles, errorPayload } = require(path.join(__dirname, "node_logs.js"));


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

function splitHandler(spec, azure) {
  if (azure) {
    const [file, entry] = spec.split("#");
    return { modulePath: file.replace(/\.(js|mjs|cjs)$/, ""), exportName: entry || "", explicitExt: path.extname(file) };
  }
  const match = /^(.*?)\.([^./]+)$/.exec(spec);
  if (!match) return null;
  return { modulePath: match[1], exportName: match[2], explicitExt: "" };
}

// `spec` is _HANDLER (`file.export`; Azure v3: `file#entryPoint`), resolved from `taskRoot`.
async function loadHandler(taskRoot, spec, azure) {
  const parts = splitHandler(spec, azure);
  if (!parts) {
    return { error: { errorType: "Runtime.MalformedHandlerName", errorMessage: `Bad handler ${spec}`, trace: [] } };
  }
  const base = path.resolve(taskRoot, parts.modulePath);
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

// Azure Functions (both programming models) live in their own module: see azure_node.js.
// `settings`: what the engine said in SVL_AZURE_* (taken out of the handler's environment).
async function loadAzureFunction(taskRoot, spec, settings) {
  const v3Handler = async () => {
    const loaded = await loadHandler(taskRoot, spec, true);
    if (loaded.error) throw Object.assign(new Error(loaded.error.errorMessage), { svlInitError: loaded.error });
    return loaded.handler;
  };
  try {
    return { handler: await require(path.join(__dirname, "azure_node.js")).loadAzureHandler(taskRoot, spec, writeLog, v3Handler,
      settings) };
  } catch (err) {
    return { error: err.svlInitError || errorPayload(err, err instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : undefined) };
  }
}

module.exports = { loadHandler, loadAzureFunction };
