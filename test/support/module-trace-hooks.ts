/**
 * The module hooks of ./module-trace.ts (they run on Node's hooks thread): appends each
 * loaded module's URL to the file named by SWITCHBOARD_MODULE_TRACE.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.SWITCHBOARD_MODULE_TRACE!;

type NextLoad = (url: string, context: unknown) => Promise<unknown>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<unknown> {
  const result = await nextLoad(url, context);
  appendFileSync(file, `${url}\n`);
  return result;
}
