import { createLogger } from '../../src/log.js';

/** The bot's logger with nothing written: for jobs and stores a test drives directly. */
export const silent = createLogger({ level: 'error', secrets: [], destination: { write: () => undefined } });
