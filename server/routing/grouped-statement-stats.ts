// How many statements the grouped accepts, completions and becoming available took (benchmarks and tests).
import { becomeAvailableStats } from './dispatcher';
import { acceptStats } from './offers';
import { completeStats } from './task-completion';

export function groupedStatementStats() {
  return { accept: acceptStats(), complete: completeStats(), becomeAvailable: becomeAvailableStats() };
}
