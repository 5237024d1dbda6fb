/**
 * A time of day and a time zone as people type them, checked and normalised: `7:30` → `07:30`,
 * `asia/ho_chi_minh` → `Asia/Ho_Chi_Minh`. One parser for the settings (config.ts) and the
 * digest's /time and /timezone commands. Below every layer: it imports nothing of the project.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * A time of day as users type it: `7:30`, `07:30`, `7h30`, `7.30`, `19:05`; also a bare hour
 * (`7`). Returns the canonical `HH:MM`, or null when it is not a valid 24-hour time.
 */
export function parseTime(input: string): string | null {
  const m = /^\s*(\d{1,2})(?:\s*[:.]\s*(\d{2})|\s*[hH]\s*(\d{2})?)?\s*$/.exec(input);
  if (!m) return null;
  const hour = Number(m[1]);
  const minutes = m[2] ?? m[3];
  const minute = minutes === undefined ? 0 : Number(minutes);
  if (hour > 23 || minute > 59) return null;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** zod schema of a delivery time as users type it, normalised to `HH:MM`. */
export const timeSchema = z.string().transform((s, ctx) => {
  const t = parseTime(s);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: 'expected a time like 07:30' });
    return z.NEVER;
  }
  return t;
});

/** ICU's canonical id of a zone (`Asia/Saigon` for `asia/ho_chi_minh`), or null when unknown. */
function icuZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** `asia/ho_chi_minh` → `Asia/Ho_Chi_Minh`: the usual capitalisation of IANA names. */
function titleCaseZone(zone: string): string {
  return zone
    .split('/')
    .map((part) => part.replace(/(^|[_-])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase()))
    .join('/');
}

/**
 * An IANA time zone as users type it (any case: `asia/ho_chi_minh`), returned with its usual
 * spelling (`Asia/Ho_Chi_Minh`), or null. `UTC` is accepted; offsets like `+07:00` are not
 * (they ignore daylight saving time, so a zone name is always the better answer).
 */
export function parseZone(input: string): string | null {
  const zone = input.trim();
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone) || !IANAZone.isValidZone(zone)) return null;
  const id = icuZone(zone);
  if (id === null) return null;
  if (/^(etc\/)?(utc|gmt|uct|zulu|universal)$/i.test(zone)) return 'UTC';
  const pretty = titleCaseZone(zone.toLowerCase());
  // Spelled with some capitals on purpose (`Etc/GMT-7`, `US/Eastern`), or an abbreviation (`EST`): kept as typed.
  const mixedCase = zone !== zone.toLowerCase() && zone !== zone.toUpperCase();
  const abbreviation = !zone.includes('/') && zone === zone.toUpperCase();
  if (pretty === zone || mixedCase || abbreviation || Intl.supportedValuesOf('timeZone').includes(zone)) return zone;
  if (IANAZone.isValidZone(pretty) && icuZone(pretty) === id) return pretty;
  return Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === zone.toLowerCase()) ?? id;
}

/** zod schema of an IANA zone, normalised to its canonical name. */
export const zoneSchema = z.string().transform((s, ctx) => {
  const zone = parseZone(s);
  if (zone === null) {
    ctx.addIssue({ code: 'custom', message: 'expected an IANA time zone like Asia/Ho_Chi_Minh' });
    return z.NEVER;
  }
  return zone;
});
