// Azure Functions (programming model v3) HTTP trigger.
module.exports = async function (context, req) {
  const name = req.query.name || (req.body && req.body.name);
  context.log(`greeting requested for ${name || "nobody"}`);
  if (!name) {
    context.res = { status: 400, body: "Pass a name in the query string or in the request body." };
    return;
  }
  context.res = { status: 200, headers: { "Content-Type": "application/json" }, body: { greeting: `Hello, ${name}!` } };
};
