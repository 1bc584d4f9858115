/** One progress line of the benchmark (the RESULT line is printed bare, see report.ts). */
export const log = (line: string) => console.log(`[bench] ${line}`);
