/** Unit tests of model-request retry decisions (src/llm/retry.ts). */
import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyFailure, httpStatusOf, parseRetryAfter, StreamCutError } from '../../src/llm/retry.js';

/** Shaped like `@huggingface/inference`'s HTTP errors. */
function httpError(status: number): Error & { httpResponse: { status: number } } {
  return Object.assign(new Error(`Request failed with status ${status}`), { httpResponse: { status } });
}

describe('classifyFailure', () => {
  it.each([401, 403])('classifies HTTP %i as an auth problem', (status) => {
    expect(classifyFailure(httpError(status), undefined)).toMatchObject({ kind: 'auth', status });
  });

  it.each([429, 500, 502, 503])('retries HTTP %i', (status) => {
    const failure = classifyFailure(httpError(status), undefined);
    expect(failure).toMatchObject({ kind: 'retryable', status });
    expect(failure.reason).toContain(String(status));
  });

  it.each([400, 404, 422])('does not retry HTTP %i', (status) => {
    expect(classifyFailure(httpError(status), undefined)).toMatchObject({ kind: 'fatal', status });
  });

  it('reads the status from a plain object shaped like an HTTP error', () => {
    expect(classifyFailure({ httpResponse: { status: 503 } }, undefined).kind).toBe('retryable');
    expect(classifyFailure({ httpResponse: { status: 401 } }, undefined).kind).toBe('auth');
    expect(httpStatusOf({ httpResponse: { status: 0 } })).toBeUndefined();
    expect(httpStatusOf(null)).toBeUndefined();
  });

  it('classifies anything as aborted once the user signal is aborted', () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyFailure(httpError(503), controller.signal).kind).toBe('aborted');
    expect(classifyFailure(new Error('boom'), controller.signal).kind).toBe('aborted');
  });

  it('does not call a failure aborted while the user signal is not aborted', () => {
    expect(classifyFailure(httpError(503), new AbortController().signal).kind).toBe('retryable');
  });

  it('retries a connection reset found in the error cause', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const error = new TypeError('fetch failed', { cause: reset });
    const failure = classifyFailure(error, undefined);
    expect(failure.kind).toBe('retryable');
    expect(failure.reason).toContain('ECONNRESET');

    const nested = new Error('outer', { cause: new Error('middle', { cause: { code: 'ECONNREFUSED' } }) });
    expect(classifyFailure(nested, undefined).kind).toBe('retryable');
  });

  it('a refused connection to a loopback address is not retried, and says where and why', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 8080 });
    const failure = classifyFailure(new TypeError('fetch failed', { cause: refused }), undefined, { url: 'http://127.0.0.1:8080/v1/chat/completions' });
    expect(failure.kind).toBe('fatal');
    expect(failure.reason).toContain('http://127.0.0.1:8080/v1/chat/completions');
    expect(failure.reason).toContain('ECONNREFUSED 127.0.0.1:8080');
    // localhost resolving to both ::1 and 127.0.0.1: undici reports an AggregateError.
    const both = Object.assign(new AggregateError([{ ...refused, address: '::1' }, refused], 'connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyFailure(new TypeError('fetch failed', { cause: both }), undefined).kind).toBe('fatal');
    const uncoded = new AggregateError([{ ...refused, address: '::1' }, refused], 'connect ECONNREFUSED');
    expect(classifyFailure(new TypeError('fetch failed', { cause: uncoded }), undefined).reason).toContain('ECONNREFUSED [::1]:8080');
  });

  it('a refused connection to another host is retried (a restarting proxy or load balancer)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:443'), { code: 'ECONNREFUSED', address: '10.0.0.5', port: 443 });
    const failure = classifyFailure(new TypeError('fetch failed', { cause: refused }), undefined);
    expect(failure.kind).toBe('retryable');
    expect(failure.reason).toContain('ECONNREFUSED 10.0.0.5:443');
  });

  it('a malformed chunk is a broken stream (retried) after good chunks, and fatal as the first response', () => {
    const garbage = new SyntaxError('Unexpected token \'g\', "garbage" is not valid JSON');
    expect(classifyFailure(garbage, undefined, { streamStarted: true }).kind).toBe('retryable');
    const first = classifyFailure(garbage, undefined, { streamStarted: false });
    expect(first.kind).toBe('fatal');
    expect(first.reason).toMatch(/OpenAI-compatible/);
  });

  it('a 200 that is not an event stream is the wrong server, not a broken stream', () => {
    const notSse = Object.assign(new Error('server does not support event stream content type, it returned text/html'), { httpResponse: { status: 200 } });
    const failure = classifyFailure(notSse, undefined, { contentType: 'text/html; charset=utf-8' });
    expect(failure.kind).toBe('fatal');
    expect(failure.reason).toMatch(/text\/html.*OpenAI-compatible/);
    // An error event inside a real stream stays a retryable broken stream.
    expect(classifyFailure(notSse, undefined, { contentType: 'text/event-stream', streamStarted: true }).kind).toBe('retryable');
  });

  it('retries a stream that was cut before it finished', () => {
    expect(classifyFailure(new StreamCutError(), undefined).kind).toBe('retryable');
  });

  it('retries a request timeout', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyFailure(timeout, undefined).kind).toBe('retryable');
  });

  it('does not retry an unknown error', () => {
    const failure = classifyFailure(new Error('model not supported by provider'), undefined);
    expect(failure.kind).toBe('fatal');
    expect(failure.reason).toContain('model not supported');
  });
});

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 30_000 };

  it('grows with the attempt number', () => {
    const fixed = { ...options, random: () => 0.5 };
    const delays = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, undefined, fixed));
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]!);
  });

  it('stays between half the exponential ceiling and the ceiling, never above maxMs', () => {
    for (const attempt of [1, 2, 3, 6, 10, 30]) {
      const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
      for (const r of [0, 0.25, 0.999999, 1]) {
        const delay = backoffDelay(attempt, undefined, { ...options, random: () => r });
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBeLessThanOrEqual(options.maxMs);
      }
    }
  });

  it('waits at least as long as a longer Retry-After', () => {
    expect(backoffDelay(1, 20_000, { ...options, random: () => 1 })).toBe(20_000);
  });

  it('is not shortened by a shorter Retry-After', () => {
    const without = backoffDelay(3, undefined, { ...options, random: () => 0.5 });
    expect(backoffDelay(3, 10, { ...options, random: () => 0.5 })).toBe(without);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
  });

  it('never returns a negative wait for a date in the past', () => {
    const past = parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now);
    expect(past === undefined || past === 0).toBe(true);
  });

  it('returns a long wait as the server said it (the caller compares it with maxRetryWait)', () => {
    expect(parseRetryAfter('200', now)).toBe(200_000);
  });

  it('ignores garbage and missing values', () => {
    for (const value of ['soon', 'abc', '-5', null, undefined, '']) expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
