const { app } = require('@azure/functions');

app.timer('cleanup', {
    schedule: '0 */5 * * * *',
    handler: async (myTimer, context) => {
        if (myTimer.isPastDue) {
            context.warn('Timer function is running late!');
        }
        context.log(`Timer fired; next run at ${myTimer.scheduleStatus.next}`);
    },
});
