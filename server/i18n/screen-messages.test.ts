// Each page hands its client components only its screen's strings (server/i18n/screens.ts). This reads
// the source to check, for every page, that the namespaces its client components name in useI18n(...)
// are all provided, so no screen can fail at run time for a missing namespace.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { namespaceNames, type Namespace } from '@/server/shared/i18n/dictionaries';
import { screens, type Screen } from './screens';

const root = path.resolve(import.meta.dirname, '../..');

function filesUnder(dir: string, name: RegExp): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => name.test(path.basename(file)))
    .map((file) => path.join(dir, file));
}

function resolveModule(from: string, specifier: string): string | null {
  const base = specifier.startsWith('@/') ? specifier.slice(2) : path.join(path.dirname(from), specifier);
  for (const candidate of [`${base}.tsx`, `${base}.ts`, path.join(base, 'index.tsx'), path.join(base, 'index.ts')]) {
    if (existsSync(path.join(root, candidate))) return path.normalize(candidate);
  }
  return null;
}

/** Components a module renders: its value imports from components/, and what it loads with next/dynamic. */
function componentImports(file: string, source: string): string[] {
  const specifiers = [
    ...[...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)';/gms)].map((match) => match[1]!),
    ...[...source.matchAll(/dynamic\(\s*\(\)\s*=>\s*import\('([^']+)'\)/g)].map((match) => match[1]!),
  ];
  return specifiers
    .filter((specifier) => specifier.startsWith('@/components/') || specifier.startsWith('.'))
    .map((specifier) => resolveModule(file, specifier))
    .filter((resolved): resolved is string => resolved !== null && resolved.startsWith(`components${path.sep}`));
}

/** Every namespace named in useI18n(...) by the components a page reaches. */
function namespacesReached(entry: string): Map<Namespace, string> {
  const named = new Map<Namespace, string>();
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(path.join(root, file), 'utf8');
    for (const call of source.matchAll(/\buseI18n\(([^)]*)\)/g)) {
      for (const name of call[1]!.matchAll(/'(\w+)'/g)) if (!named.has(name[1] as Namespace)) named.set(name[1] as Namespace, file);
    }
    queue.push(...componentImports(file, source));
  }
  return named;
}

const layoutSource = readFileSync(path.join(root, 'app/layout.tsx'), 'utf8');
const everyScreen = [...(layoutSource.match(/pickMessages\(locale, \[([^\]]*)\]\)/)?.[1]?.matchAll(/'(\w+)'/g) ?? [])].map((m) => m[1]!);

const pages = filesUnder('app', /^(page|layout)\.tsx$/).map((file) => {
  const source = readFileSync(path.join(root, file), 'utf8');
  const screen = source.match(/<ScreenMessages screen="(\w+)"/)?.[1] as Screen | undefined;
  return { file, screen };
});

describe('strings per screen', () => {
  it('the root layout gives every screen the common strings only', () => {
    expect(everyScreen).toEqual(['common']);
  });

  it.each(pages)('$file provides every namespace its client components read', ({ file, screen }) => {
    const provided = new Set<string>([...everyScreen, ...(screen ? (screens[screen] as readonly string[]) : [])]);
    const missing = [...namespacesReached(file)].filter(([name]) => !provided.has(name)).map(([name, where]) => `${name} (read in ${where})`);
    expect(missing, `${file} renders screen "${screen ?? 'none'}"`).toEqual([]);
  });

  it('names only namespaces that exist, and every screen is used by a page', () => {
    for (const names of Object.values(screens)) for (const name of names) expect(namespaceNames).toContain(name);
    expect(new Set(pages.map((page) => page.screen).filter(Boolean))).toEqual(new Set(Object.keys(screens)));
  });

  it('sends no staff or admin strings to the screens patients and guests use', () => {
    const staffOnly: Namespace[] = ['staffSignIn', 'staffHome', 'desk', 'schedule', 'queues', 'wallboard', 'messages', 'wrapUp'];
    for (const screen of ['patientCheck', 'checkIn', 'patientReschedule', 'visitSummary', 'guestJoin', 'consult'] as const) {
      expect(
        screens[screen].filter((name) => (staffOnly as string[]).includes(name)),
        screen,
      ).toEqual([]);
    }
  });
});
