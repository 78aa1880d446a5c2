/** Time as the domain sees it: passed in so retention and retry schedules are testable without sleeping. */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };
