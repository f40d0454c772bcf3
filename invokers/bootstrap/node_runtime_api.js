// The Lambda Runtime API client of the Node bootstrap (node_runtime.js): one keep-alive connection.
// Loaded by absolute path from node_runtime.js, never through the handler's module path.
"use strict";

const net = require("net");

// `host:port/key`: the key prefixes every path (the server refuses requests without it).
const [API_HOST_PORT, API_KEY] = process.env.AWS_LAMBDA_RUNTIME_API.split("/");
const [API_HOST, API_PORT] = API_HOST_PORT.split(":");
const API_PREFIX = (API_KEY ? "/" + API_KEY : "") + "/2018-06-01/runtime";


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

module.exports = { API_HOST, API_PORT, API_KEY, API_PREFIX, request, answerAndNext };
