/** Unit tests of the Redactor (src/policy/secrets.ts) and the loopback rule (src/policy/transport.ts). */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/policy/secrets.js';
import { assertTokenTransport, isLoopbackHost } from '../../src/policy/transport.js';
import { UserInputError } from '../../src/errors.js';

describe('Redactor', () => {
  it('masks every occurrence of every value, the longest first, and ignores values too short to matter', () => {
    const redactor = new Redactor(['ghp_abc123', 'ghp_abc123456', 'no', 'a.b*c']);
    expect(redactor.redact('t=ghp_abc123456 u=ghp_abc123 v=ghp_abc123')).toBe('t=*** u=*** v=***');
    expect(redactor.redact('x a.b*c y axbxc')).toBe('x *** y axbxc'); // regex characters are literal
    expect(redactor.redact('no way')).toBe('no way');
    expect(redactor.size).toBe(3);
  });

  it('picks up values added later, and leaves text alone when it has none', () => {
    const redactor = new Redactor();
    expect(redactor.redact('secret-1')).toBe('secret-1');
    redactor.add('secret-1');
    expect(redactor.redact('[secret-1]')).toBe('[***]');
  });
});

describe('tokens over plain http', () => {
  it('loopback hosts are 127.0.0.0/8, ::1 and localhost', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '[::1]', 'localhost', 'api.localhost']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['model.invalid', '10.0.0.1', '128.0.0.1', 'localhost.invalid', '[::2]']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('refuses a token over http to another host unless allowed; https, loopback and no token are fine', () => {
    expect(() => assertTokenTransport('http://model.invalid/v1', true, false)).toThrow(UserInputError);
    expect(() => assertTokenTransport('http://model.invalid/v1', true, true)).not.toThrow();
    expect(() => assertTokenTransport('http://model.invalid/v1', false, false)).not.toThrow();
    expect(() => assertTokenTransport('https://model.invalid/v1', true, false)).not.toThrow();
    expect(() => assertTokenTransport('http://127.0.0.1:8080/v1', true, false)).not.toThrow();
  });
});
