/**
 * The line every run prints on stderr before anything starts, naming the config it uses (a
 * planted ./switchboard.json must not go unnoticed): `switchboard: config: PATH`. Unstyled:
 * the caller dims it for its stream.
 */
import type { LoadedConfig } from '../config/schema.js';

export function configNotice(config: Pick<LoadedConfig, 'path' | 'isBundledDefault'>): string {
  return `switchboard: config: ${config.isBundledDefault ? `the bundled default, ${config.path}; write ./switchboard.json or pass --config for your own servers` : config.path}`;
}
