// Throws, to show the Node error payload (errorType, errorMessage, trace).
function charge(amount) {
  if (!(amount > 0)) throw new RangeError(`amount must be positive, got ${amount}`);
  return amount;
}

exports.handler = async (event) => ({ charged: charge(event.amount || 0) });
