import { afterEach, vi } from 'vitest';

// An error logged during a test is a failure, even when the test's own assertions pass.
const logged: unknown[][] = [];
const original = console.error;
console.error = (...args: unknown[]) => {
  logged.push(args);
  original(...args);
};

afterEach(() => {
  if (logged.length > 0) {
    const first = logged.map((args) => args.map(String).join(' ')).join('\n');
    logged.length = 0;
    throw new Error(`console.error was called during the test:\n${first}`);
  }
  vi.useRealTimers();
});
