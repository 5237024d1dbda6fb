import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

/** The config from these variables only (no `.env`). */
const configWith = (env: Record<string, string>) => loadConfig(env, { dotenv: false });

describe('digest default time and zone settings', () => {
  it('default to 07:30 in Asia/Ho_Chi_Minh', () => {
    expect(configWith({}).digest).toMatchObject({ defaultTime: '07:30', defaultZone: 'Asia/Ho_Chi_Minh' });
  });

  it('read a time as /subscribe does, normalised to HH:MM', () => {
    expect(configWith({ TRICHDAN_DIGEST_DEFAULT_TIME: '7:30' }).digest.defaultTime).toBe('07:30');
    expect(configWith({ TRICHDAN_DIGEST_DEFAULT_TIME: '6h05' }).digest.defaultTime).toBe('06:05');
    expect(configWith({ TRICHDAN_DIGEST_DEFAULT_TIME: '18:00' }).digest.defaultTime).toBe('18:00');
  });

  it('read a zone in any case, spelled the usual way', () => {
    expect(configWith({ TRICHDAN_DIGEST_DEFAULT_TZ: 'europe/berlin' }).digest.defaultZone).toBe('Europe/Berlin');
    expect(configWith({ TRICHDAN_DIGEST_DEFAULT_TZ: 'UTC' }).digest.defaultZone).toBe('UTC');
  });

  it('reject a time or zone /subscribe would reject, naming the variable', () => {
    expect(() => configWith({ TRICHDAN_DIGEST_DEFAULT_TIME: '24:00' })).toThrow(ConfigError);
    expect(() => configWith({ TRICHDAN_DIGEST_DEFAULT_TIME: '24:00' })).toThrow(/TRICHDAN_DIGEST_DEFAULT_TIME="24:00": expected a time like 07:30/);
    expect(() => configWith({ TRICHDAN_DIGEST_DEFAULT_TZ: 'Mars/Olympus' })).toThrow(/TRICHDAN_DIGEST_DEFAULT_TZ="Mars\/Olympus": expected an IANA time zone/);
    expect(() => configWith({ TRICHDAN_DIGEST_DEFAULT_TZ: '+07:00' })).toThrow(ConfigError);
  });
});
