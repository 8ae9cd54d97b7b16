/** Which credential goes to which model server (src/cli/model-factory.ts tokenFor). */
import { describe, expect, it } from 'vitest';
import { tokenFor } from '../../src/cli/model-factory.js';

const env = { HF_TOKEN: 'hf_secret' };

describe('tokenFor', () => {
  it('sends HF_TOKEN to Hugging Face Inference Providers and Hugging Face endpoints', () => {
    expect(tokenFor(undefined, env)).toBe('hf_secret');
    expect(tokenFor('https://router.huggingface.co/v1', env)).toBe('hf_secret');
    expect(tokenFor('https://abc123.us-east-1.aws.endpoints.huggingface.cloud/v1', env)).toBe('hf_secret');
  });

  it('never sends HF_TOKEN anywhere else: local servers, third parties, Spaces, look-alike hosts', () => {
    for (const url of [
      'http://127.0.0.1:8080/v1',
      'https://api.example.com/v1',
      'https://someone-app.hf.space/v1',
      'https://huggingface.co.evil.example/v1',
      'https://evilhuggingface.co/v1',
    ]) {
      expect(tokenFor(url, env), url).toBeUndefined();
    }
  });

  it('sends SWITCHBOARD_API_KEY to a non-Hugging Face endpoint when it is set', () => {
    expect(tokenFor('http://127.0.0.1:8080/v1', { ...env, SWITCHBOARD_API_KEY: 'local-key' })).toBe('local-key');
  });

  it('sends nothing without a token', () => {
    expect(tokenFor(undefined, {})).toBeUndefined();
  });
});
