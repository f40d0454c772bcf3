const { app, output } = require('@azure/functions');

const auditQueue = output.storageQueue({ queueName: 'audit', connection: 'AzureWebJobsStorage' });

app.http('hello', {
    methods: ['GET', 'POST'],
    authLevel: 'anonymous',
    route: 'hello/{name?}',
    extraOutputs: [auditQueue],
    handler: async (request, context) => {
        context.log(`Http function processed request for url "${request.url}"`);
        const name = request.params.name || request.query.get('name') || (await request.text()) || 'world';
        context.extraOutputs.set(auditQueue, { greeted: name, invocationId: context.invocationId });
        return {
            status: 200,
            jsonBody: { message: `${process.env.GREETING || 'Hello'}, ${name}!` },
            cookies: [{ name: 'visited', value: 'yes', httpOnly: true }],
        };
    },
});
