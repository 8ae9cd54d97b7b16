/**
 * Preload for running `@modelcontextprotocol/conformance` on Node 20 (`node --import
 * ./test/conformance/glob-sync-preload.mjs`): registers the hook that gives the suite an
 * `fs` with `globSync`. On Node 22+ it does nothing.
 */
import fs from 'node:fs';
import { register } from 'node:module';

if (typeof fs.globSync !== 'function') register('./glob-sync-hooks.mjs', import.meta.url);
