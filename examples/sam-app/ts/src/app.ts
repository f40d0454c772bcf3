import { title } from './lib/title';

type Event = { name?: string };

export const handler = async (event: Event): Promise<{ message: string }> => {
    const greeting = process.env.GREETING ?? 'Hi';
    return { message: `${greeting}, ${title(event.name ?? 'world')}!` };
};
