/**
 * `node --import dist/test/support/module-trace.js ...`: records every module the process
 * loads, one URL a line, in the file named by SWITCHBOARD_MODULE_TRACE (appended as they load).
 * For tests that check what a command does NOT load (a command's module graph must not grow
 * back to the whole CLI): a behaviour, not a timing. ES modules are seen by the loader hooks
 * (module-trace-hooks.ts); CommonJS files, which `require` loads without passing those hooks,
 * are recorded here by wrapping the CommonJS loader (Node's internal `Module._load`: a test
 * helper may lean on it, the product never does).
 */
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.SWITCHBOARD_MODULE_TRACE;
if (!file) throw new Error('module-trace: set SWITCHBOARD_MODULE_TRACE to the file to write');
register('./module-trace-hooks.js', import.meta.url);

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const commonJs = Module as unknown as { _load: Load; _resolveFilename: (request: string, parent: unknown, isMain: boolean) => string };
const load = commonJs._load;
const seen = new Set<string>();
commonJs._load = function (this: unknown, request: string, parent: unknown, isMain: boolean) {
  if (!request.startsWith('node:')) {
    try {
      const filename = commonJs._resolveFilename(request, parent, isMain);
      if (filename.includes('/') && !seen.has(filename)) {
        seen.add(filename);
        appendFileSync(file, `${pathToFileURL(filename).href}\n`);
      }
    } catch {
      // a built-in, or a request the real loader will reject: nothing to record
    }
  }
  return load.call(this, request, parent, isMain);
};
