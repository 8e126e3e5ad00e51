/** The people of the approval and click tests: who asks, who approves, who may not. */
export const ALICE = { id: 'U1', name: 'alice' };
export const BOB = { id: 'U2', name: 'bob' };
/** In the user group S0RELEASE where a test puts her there. */
export const GRACE = { id: 'U7', name: 'grace' };
export const MALLORY = { id: 'U666', name: 'mallory' };

/** Slack's users for `fakesPerFile({ users })`, all in UTC. */
export const usersOf = (...people: Array<{ id: string; name: string }>) =>
  Object.fromEntries(people.map((u) => [u.id, { tz: 'UTC', name: u.name }]));
