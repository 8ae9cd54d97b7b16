/**
 * Which environment variable's value is sent as the model's API key, from the settings alone
 * (the model factory sends it; the trust summary shows it, so a project config that names
 * `"apiKeyEnv": "AWS_SECRET_ACCESS_KEY"` and a foreign `endpointUrl` is seen for what it does).
 * - `apiKeyEnv` set: that variable, wherever the model is.
 * - Hugging Face (no endpoint, or one of its API hosts): HF_TOKEN.
 * - Any other endpoint: SWITCHBOARD_API_KEY.
 */
export function keyVariableFor(endpointUrl: string | undefined, apiKeyEnv: string | undefined): string {
  if (apiKeyEnv) return apiKeyEnv;
  return !endpointUrl || isHuggingFaceHost(endpointUrl) ? 'HF_TOKEN' : 'SWITCHBOARD_API_KEY';
}

/** Hugging Face's own API hosts only: a Space (*.hf.space) runs someone else's code. */
function isHuggingFaceHost(endpointUrl: string): boolean {
  let host: string;
  try {
    host = new URL(endpointUrl).hostname;
  } catch {
    return false;
  }
  return /(^|\.)(huggingface\.co|endpoints\.huggingface\.cloud)$/.test(host);
}
