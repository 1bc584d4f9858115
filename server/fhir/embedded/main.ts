// Entry point of the embedded FHIR server process: `tsx server/fhir/embedded/main.ts --data-dir <dir> --port <n>`.
// Listens on 127.0.0.1 only. Started by scripts/lib/fhir.mjs (demo and tests).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadFhirDefinitions } from './definitions';
import { FHIR_PATH_PREFIX, createFhirHttpServer } from './http-server';
import { Journal } from './journal';
import { EmbeddedRepository } from './repository';

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, port: { type: 'string', default: '0' } },
});
const dataDir = values['data-dir'];
if (!dataDir) {
  process.stderr.write('usage: main.ts --data-dir <dir> [--port <n>]\n');
  process.exit(2);
}

const t0 = Date.now();
const journal = new Journal(dataDir);
holdDataDir(dataDir);
loadFhirDefinitions();
const repo = new EmbeddedRepository({ journal });
const records = await repo.load();
const server = createFhirHttpServer(repo);
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : values.port;
  process.stdout.write(`FHIR server listening on http://127.0.0.1:${port}${FHIR_PATH_PREFIX} (${records} journal records loaded in ${Date.now() - t0} ms)\n`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

/** Two servers appending to one journal would each miss the other's writes: the second one refuses to start. */
function holdDataDir(dir: string): void {
  const lockFile = path.join(dir, 'server.pid');
  let holder: number | undefined;
  try {
    holder = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
  } catch {
    holder = undefined;
  }
  if (holder && holder !== process.pid && isAlive(holder)) {
    process.stderr.write(`Another FHIR server (pid ${holder}) is using ${dir}; stop it first.\n`);
    process.exit(1);
  }
  writeFileSync(lockFile, String(process.pid));
  process.on('exit', () => {
    try {
      if (readFileSync(lockFile, 'utf8') === String(process.pid)) rmSync(lockFile);
    } catch {
      // already gone
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
