// Tests run the API and auth modules in Node, where `server-only` (a guard against client bundles) has no
// bundle to guard: vitest resolves it to this empty module.
export {};
