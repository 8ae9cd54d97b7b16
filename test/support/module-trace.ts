/**
 * `node --import dist/test/support/module-trace.js ...`: records every ES module the process
 * loads, one URL a line, in the file named by SWITCHBOARD_MODULE_TRACE (appended as they load).
 * For tests that check what a command does NOT load (a command's module graph must not grow
 * back to the whole CLI): a behaviour, not a timing. CommonJS files that ES modules `require`
 * are not seen (none of the modules checked is CommonJS).
 */
import { register } from 'node:module';

if (!process.env.SWITCHBOARD_MODULE_TRACE) throw new Error('module-trace: set SWITCHBOARD_MODULE_TRACE to the file to write');
register('./module-trace-hooks.js', import.meta.url);
