import { comparePositions } from '@newsroom/event-store';
import type { Position } from '@newsroom/event-store';

/** Whether `a` is at or after `b` in the store's global log. */
export const atOrAfter = (a: Position, b: Position): boolean => comparePositions(a, b) >= 0;
