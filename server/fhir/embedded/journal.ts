// Append-only JSON-lines journal: one line per change (a transaction is one line, so it is on disk
// whole or not at all). Appends are synchronous, so a reply is sent only after its change is written
// to the operating system; a line cut short by a crash is ignored on the next start.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';

export type JournalRecord =
  { op: 'put'; resource: Resource } | { op: 'delete'; resourceType: string; id: string } | { op: 'transaction'; records: JournalRecord[] };

export class Journal {
  readonly file: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'journal.jsonl');
  }

  *read(): Generator<JournalRecord> {
    if (!existsSync(this.file)) return;
    const text = readFileSync(this.file, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        yield JSON.parse(line) as JournalRecord;
      } catch {
        // A torn last line from a crash mid-write: the change it held was never acknowledged.
      }
    }
  }

  append(record: JournalRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }

  /** Rewrites the journal as one `put` per live resource (older versions are dropped). */
  compact(resources: Resource[]): void {
    const temporary = `${this.file}.compacting`;
    writeFileSync(temporary, resources.map((resource) => `${JSON.stringify({ op: 'put', resource })}\n`).join(''));
    renameSync(temporary, this.file);
  }
}
