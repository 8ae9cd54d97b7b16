/** Unit tests of the temperature server's pure helpers (servers/temperature/server.ts). */
import { describe, expect, it } from 'vitest';
import { cityName, temperatureFor, unitSymbol } from '../../servers/temperature/server.js';

describe('temperatureFor', () => {
  it('returns the fixed Fahrenheit values for known cities', () => {
    expect(temperatureFor('San Francisco', 'fahrenheit')).toBe(72);
    expect(temperatureFor('Paris', 'fahrenheit')).toBe(75);
    expect(temperatureFor('Tokyo', 'fahrenheit')).toBe(73);
  });

  it('returns 70 °F for any other city', () => {
    expect(temperatureFor('Reykjavik', 'fahrenheit')).toBe(70);
    expect(temperatureFor('Parisville', 'fahrenheit')).toBe(70);
  });

  it('defaults to Fahrenheit', () => {
    expect(temperatureFor('Paris')).toBe(75);
  });

  it('ignores case and surrounding whitespace', () => {
    expect(temperatureFor('  paris  ', 'fahrenheit')).toBe(75);
    expect(temperatureFor('SAN FRANCISCO', 'fahrenheit')).toBe(72);
    expect(temperatureFor('\ttokyo\n', 'fahrenheit')).toBe(73);
  });

  it('converts to Celsius rounded to one decimal', () => {
    expect(temperatureFor('San Francisco', 'celsius')).toBe(22.2);
    expect(temperatureFor('Paris', 'celsius')).toBe(23.9);
    expect(temperatureFor('Tokyo', 'celsius')).toBe(22.8);
    expect(temperatureFor('Elsewhere', 'celsius')).toBe(21.1);
  });
});

describe('cityName', () => {
  it('canonicalises known cities and trims others', () => {
    expect(cityName('  paris  ')).toBe('Paris');
    expect(cityName('san francisco')).toBe('San Francisco');
    expect(cityName('  Reykjavik ')).toBe('Reykjavik');
  });
});

describe('unitSymbol', () => {
  it('maps units to symbols', () => {
    expect(unitSymbol('fahrenheit')).toBe('°F');
    expect(unitSymbol('celsius')).toBe('°C');
  });
});
