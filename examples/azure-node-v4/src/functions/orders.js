const { app, output } = require('@azure/functions');

const shipments = output.storageQueue({ queueName: 'shipments', connection: 'AzureWebJobsStorage' });

app.storageQueue('orders', {
    queueName: 'orders',
    connection: 'AzureWebJobsStorage',
    extraOutputs: [shipments],
    handler: async (order, context) => {
        context.log('Storage queue function processed work item:', order);
        context.log(`dequeueCount=${context.triggerMetadata.dequeueCount} id=${context.triggerMetadata.id}`);
        if (!order || order.orderId === undefined) {
            throw new Error('order without an orderId');
        }
        context.extraOutputs.set(shipments, { orderId: order.orderId, status: 'ready' });
    },
});
