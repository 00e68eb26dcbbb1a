export { type Clock, ManualClock, systemClock } from './clock.ts';
export { describeError, type ErrorCode, isRoostError, RoostError } from './errors.ts';
export { newId } from './ids.ts';
