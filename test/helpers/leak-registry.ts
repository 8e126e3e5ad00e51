/**
 * Everything the bot said, anywhere: log lines, and every call and response_url post it made to
 * Slack. The vitest setup file (leak-scan.ts) scans it after each test file for the test tokens.
 */
export const surfaces: Array<{ name: string; read: () => string }> = [];

export function watchForLeaks(name: string, read: () => string): void {
  surfaces.push({ name, read });
}
