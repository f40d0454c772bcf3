// API Gateway REST (v1 proxy) router, the Node twin of src/orders_api.py.
const orders = new Map([["o-1001", { id: "o-1001", item: "coffee beans", quantity: 2 }]]);

const respond = (statusCode, body, headers = {}) => ({
  statusCode,
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});

const routes = {
  "/orders": {
    GET: () => respond(200, { orders: [...orders.values()] }),
    POST: (event) => {
      let payload;
      try {
        payload = JSON.parse(event.body || "{}");
      } catch {
        return respond(400, { message: "body must be JSON" });
      }
      if (!payload.item) return respond(422, { message: "'item' is required" });
      const order = { id: `o-${Math.random().toString(16).slice(2, 6)}`, item: payload.item, quantity: payload.quantity || 1 };
      orders.set(order.id, order);
      console.info(`created order ${order.id}`);
      return respond(201, order, { Location: `/orders/${order.id}` });
    },
  },
  "/orders/{id}": {
    GET: (event) => {
      const id = (event.pathParameters || {}).id || event.path.split("/").pop();
      const order = orders.get(id);
      return order ? respond(200, order) : respond(404, { message: `order ${id} not found` });
    },
  },
};

exports.handler = async (event) => {
  let resource = event.resource || event.path || "";
  if (resource.startsWith("/orders/") && resource !== "/orders/{id}") resource = "/orders/{id}";
  const methods = routes[resource];
  if (!methods) return respond(404, { message: `no route for ${event.path}` });
  const action = methods[(event.httpMethod || "").toUpperCase()];
  if (!action) return respond(405, { message: "method not allowed" }, { Allow: Object.keys(methods).sort().join(", ") });
  return action(event);
};
