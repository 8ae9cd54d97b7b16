/**
 * A rough token count of tool schemas: JSON characters / 4, the usual rule of thumb for
 * English and JSON with BPE tokenizers. Good enough to spot a server whose tool list costs
 * thousands of tokens on every model request; not a bill.
 */
import type { FunctionTool } from '../llm/model.js';

export function estimateSchemaTokens(tools: readonly FunctionTool[]): number {
  return tools.length === 0 ? 0 : Math.ceil(JSON.stringify(tools).length / 4);
}
