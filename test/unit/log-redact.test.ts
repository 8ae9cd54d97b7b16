/** The log's pattern-based masking (src/log/redact-keys.ts). */
import { describe, expect, it } from 'vitest';
import { redactKeys } from '../../src/log/redact-keys.js';
import { Redactor } from '../../src/policy/secrets.js';

describe('redactKeys', () => {
  it.each([
    ['hf token', 'token hf_abcdefghijklmnopqrstuvwxyz12 used', 'token *** used'],
    ['OpenAI-style key', 'key=sk-proj-abcdefghijklmnop1234', 'key=***'],
    ['GitHub key', 'using ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'using ***'],
    ['fine-grained GitHub key', 'github_pat_11ABCDEFG0123456789_abcdefghij', '***'],
    ['JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sflKxwRJSMeKKF2QT4fwpMeJf36 end', 'jwt *** end'],
    ['Authorization header', 'Authorization: Bearer abc.def-123', 'Authorization: Bearer ***'],
    ['authorization in JSON', '{"authorization":"Basic dXNlcjpwYXNz"}', '{"authorization":"Basic ***"}'],
    ['bare bearer token', 'sent bearer 0123456789abcdef', 'sent bearer ***'],
    ['a variable named like a token', 'HF_TOKEN=whatever-it-is', 'HF_TOKEN=***'],
    ['a JSON field named like a secret', '{"client_secret": "s3cr3t-value"}', '{"client_secret": "***"}'],
    ['a query parameter', 'GET /x?api_key=abcd1234&q=1', 'GET /x?api_key=***&q=1'],
  ])('masks a %s', (_what, text, expected) => {
    expect(redactKeys(text)).toBe(expected);
  });

  it('leaves token counts and ordinary text alone', () => {
    const text = '{"promptTokens":120,"max_tokens":1000,"completionTokens":7} the skeleton key is under the mat';
    expect(redactKeys(text)).toBe(text);
  });

  it('masks the exact secret values it is given too', () => {
    expect(redactKeys('db at postgres://u:pw-1234@h/db', new Redactor(['postgres://u:pw-1234@h/db']))).toBe('db at ***');
  });
});
