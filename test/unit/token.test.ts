/** Which credential goes to which model server (src/cli/model-factory.ts credentialFor). */
import { describe, expect, it } from 'vitest';
import { keyVariableFor } from '../../src/config/api-key.js';
import { credentialFor } from '../../src/cli/model-factory.js';
import { UserInputError } from '../../src/errors.js';

const env = { HF_TOKEN: 'hf_secret' };
const both = { HF_TOKEN: 'hf_secret', SWITCHBOARD_API_KEY: 'local-key' };

describe('credentialFor', () => {
  it('sends HF_TOKEN to Hugging Face Inference Providers and Hugging Face endpoints', () => {
    expect(credentialFor(undefined, undefined, env)).toEqual({ variable: 'HF_TOKEN', value: 'hf_secret' });
    expect(credentialFor('https://router.huggingface.co/v1', undefined, env)).toEqual({ variable: 'HF_TOKEN', value: 'hf_secret' });
    expect(credentialFor('https://abc123.us-east-1.aws.endpoints.huggingface.cloud/v1', undefined, env)?.value).toBe('hf_secret');
  });

  it('sends HF_TOKEN, not SWITCHBOARD_API_KEY, to a Hugging Face host when both are set', () => {
    for (const url of [undefined, 'https://router.huggingface.co/v1', 'https://abc123.us-east-1.aws.endpoints.huggingface.cloud/v1']) {
      expect(credentialFor(url, undefined, both), String(url)).toEqual({ variable: 'HF_TOKEN', value: 'hf_secret' });
    }
  });

  it('sends nothing to Hugging Face when only SWITCHBOARD_API_KEY is set', () => {
    expect(credentialFor('https://router.huggingface.co/v1', undefined, { SWITCHBOARD_API_KEY: 'local-key' })).toBeUndefined();
    expect(credentialFor(undefined, undefined, { SWITCHBOARD_API_KEY: 'local-key' })).toBeUndefined();
  });

  it('never sends HF_TOKEN anywhere else: local servers, third parties, Spaces, look-alike hosts', () => {
    for (const url of [
      'http://127.0.0.1:8080/v1',
      'https://api.example.com/v1',
      'https://someone-app.hf.space/v1',
      'https://huggingface.co.evil.example/v1',
      'https://evilhuggingface.co/v1',
    ]) {
      expect(credentialFor(url, undefined, env), url).toBeUndefined();
      expect(credentialFor(url, undefined, both), url).toEqual({ variable: 'SWITCHBOARD_API_KEY', value: 'local-key' });
    }
  });

  it('--api-key-env names the variable, for any endpoint, and wins over the defaults', () => {
    const withMine = { ...both, MY_KEY: 'mine' };
    expect(credentialFor('http://127.0.0.1:8080/v1', 'MY_KEY', withMine)).toEqual({ variable: 'MY_KEY', value: 'mine' });
    expect(credentialFor('https://router.huggingface.co/v1', 'MY_KEY', withMine)).toEqual({ variable: 'MY_KEY', value: 'mine' });
  });

  it('a named variable that is unset or empty is a usage error naming it', () => {
    for (const vars of [both, { ...both, MY_KEY: '' }]) {
      let thrown: unknown;
      try {
        credentialFor('http://127.0.0.1:8080/v1', 'MY_KEY', vars);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UserInputError);
      expect((thrown as Error).message).toMatch(/MY_KEY/);
      expect((thrown as Error).message).toMatch(/export MY_KEY=/);
    }
  });

  it('sends nothing without a token', () => {
    expect(credentialFor(undefined, undefined, {})).toBeUndefined();
    expect(credentialFor('http://127.0.0.1:8080/v1', undefined, {})).toBeUndefined();
  });

  it('keyVariableFor names the variable a refused-token message points to, set or not', () => {
    expect(keyVariableFor(undefined, undefined)).toBe('HF_TOKEN');
    expect(keyVariableFor('https://router.huggingface.co/v1', undefined)).toBe('HF_TOKEN');
    expect(keyVariableFor('http://127.0.0.1:8080/v1', undefined)).toBe('SWITCHBOARD_API_KEY');
    expect(keyVariableFor('http://127.0.0.1:8080/v1', 'MY_KEY')).toBe('MY_KEY');
  });
});
