/**
 * @huggingface/tiny-agents 0.3.4 ships its declarations at dist/src/index.d.ts while its
 * package.json points "types" at dist/index.d.ts, so TypeScript finds none. Its only
 * export is @huggingface/mcp-client's Agent (dist/index.mjs re-exports it); say so.
 */
declare module '@huggingface/tiny-agents' {
  export { Agent } from '@huggingface/mcp-client';
}
