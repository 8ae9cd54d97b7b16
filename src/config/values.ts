/**
 * Value rules shared by the config file and the command line, so a setting means the same
 * thing and fails the same way whichever way it is given.
 */
import { z } from 'zod';

/** True for an absolute http: or https: URL (not `localhost:8080/v1`, which parses with the scheme `localhost:`). */
export function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export const HTTP_URL_RULE = 'an http(s) URL such as http://127.0.0.1:8080/v1';
export const httpUrlSchema = z.string().refine(isHttpUrl, { message: `must be ${HTTP_URL_RULE}` });

/**
 * Durations are given in seconds. The upper bound is a day: far beyond any sensible
 * timeout, and well inside what `setTimeout` holds (2^31-1 ms, about 24.8 days; a longer
 * delay fires after 1 ms), even at the 10x overall cap on a call kept alive by progress.
 */
export const MIN_SECONDS = 0.001;
export const MAX_SECONDS = 86_400;
export const SECONDS_RULE = `a number of seconds from ${MIN_SECONDS} to ${MAX_SECONDS} (24 hours)`;
export const secondsSchema = z
  .number({ message: `must be ${SECONDS_RULE}` })
  .min(MIN_SECONDS, { message: `must be ${SECONDS_RULE}` })
  .max(MAX_SECONDS, { message: `must be ${SECONDS_RULE}` });
