import { describe, expect, it } from 'vitest';
import { dueSlot, formatSlot, latestSlot, nextSlot } from '../../src/digest/schedule.ts';
import { parseTime, parseZone, timeSchema, zoneSchema } from '../../src/time-of-day.ts';

const HCM = 'Asia/Ho_Chi_Minh';

describe('parseTime', () => {
  it('accepts the ways people write a time and returns HH:MM', () => {
    expect(parseTime('07:30')).toBe('07:30');
    expect(parseTime('7:30')).toBe('07:30');
    expect(parseTime('7h30')).toBe('07:30');
    expect(parseTime('19.05')).toBe('19:05');
    expect(parseTime(' 6 ')).toBe('06:00');
    expect(parseTime('0:00')).toBe('00:00');
    expect(parseTime('23:59')).toBe('23:59');
  });

  it('rejects what is not a 24-hour time', () => {
    for (const bad of ['24:00', '7:60', '7:5', 'sáng', '', '07:30:00', '-1:00', '7 30', '12:30pm']) {
      expect(parseTime(bad), bad).toBeNull();
    }
    expect(timeSchema.safeParse('25:00').success).toBe(false);
    expect(timeSchema.parse('8h')).toBe('08:00');
  });
});

describe('parseZone', () => {
  it('accepts IANA names in any case and returns the canonical spelling', () => {
    expect(parseZone('Asia/Ho_Chi_Minh')).toBe(HCM);
    expect(parseZone('asia/ho_chi_minh')).toBe(HCM);
    expect(parseZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(parseZone('UTC')).toBe('UTC');
    expect(zoneSchema.parse('america/new_york')).toBe('America/New_York');
  });

  it('keeps a zone spelled with capitals as typed (title case would spoil Etc/GMT-7 and US/Eastern)', () => {
    expect(parseZone('Etc/GMT-7')).toBe('Etc/GMT-7');
    expect(parseZone('US/Eastern')).toBe('US/Eastern');
    expect(parseZone('EST')).toBe('EST');
  });

  it('rejects unknown zones, offsets and junk', () => {
    for (const bad of ['Hanoi', 'Asia/Hanoi', '+07:00', 'GMT+7 ', '', 'Asia/Ho Chi Minh', '<b>']) {
      expect(parseZone(bad), bad).toBeNull();
    }
  });
});

describe('slots', () => {
  it('keys a slot by the local date and puts it at the local time', () => {
    // 2026-11-24 01:00 UTC is 08:00 in Hanoi (UTC+7).
    const now = new Date('2026-11-24T01:00:00Z');
    const slot = latestSlot('07:30', HCM, now);
    expect(slot.key).toBe('2026-11-24');
    expect(slot.at.toISOString()).toBe('2026-11-24T00:30:00.000Z');
    expect(formatSlot(slot, HCM)).toBe('07:30 24/11/2026');
  });

  it("gives yesterday's slot before today's time has come", () => {
    const now = new Date('2026-11-23T23:00:00Z'); // 06:00 on the 24th in Hanoi
    expect(latestSlot('07:30', HCM, now).key).toBe('2026-11-23');
    expect(nextSlot('07:30', HCM, now).key).toBe('2026-11-24');
  });

  it('uses the local date across zones: the same instant is a different day in Berlin and Hanoi', () => {
    const now = new Date('2026-11-23T23:30:00Z'); // 00:30 on the 24th in Berlin, 06:30 on the 24th in Hanoi
    expect(latestSlot('00:15', 'Europe/Berlin', now).key).toBe('2026-11-24');
    expect(latestSlot('23:45', 'Europe/Berlin', now).key).toBe('2026-11-23');
  });

  it('handles a daylight-saving jump: 02:30 on the spring-forward day in Berlin happens once, at 03:30', () => {
    const now = new Date('2026-03-29T02:00:00Z'); // 04:00 CEST
    const slot = latestSlot('02:30', 'Europe/Berlin', now);
    expect(slot.key).toBe('2026-03-29');
    expect(slot.at.toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('is due from its time until the window closes, and never before the subscription', () => {
    const sub = { time: '07:30', zone: HCM, scheduleFrom: new Date('2026-11-20T00:00:00Z') };
    const at = new Date('2026-11-24T00:30:00Z');
    const window = 180 * 60_000;
    expect(dueSlot(sub, new Date(at.getTime() - 1000), window)?.key).toBe(undefined);
    expect(dueSlot(sub, at, window)?.key).toBe('2026-11-24');
    expect(dueSlot(sub, new Date(at.getTime() + window), window)?.key).toBe('2026-11-24');
    expect(dueSlot(sub, new Date(at.getTime() + window + 1), window)).toBeNull();
    const late = { ...sub, scheduleFrom: new Date(at.getTime() + 60_000) };
    expect(dueSlot(late, new Date(at.getTime() + 120_000), window)).toBeNull();
  });

  it("keeps yesterday's late-evening slot due after midnight, within the window", () => {
    const sub = { time: '23:50', zone: HCM, scheduleFrom: new Date('2026-11-01T00:00:00Z') };
    const now = new Date('2026-11-24T17:30:00Z'); // 00:30 on the 25th in Hanoi
    expect(dueSlot(sub, now, 60 * 60_000)?.key).toBe('2026-11-24');
  });
});

describe('parseZone spelling', () => {
  it('keeps names typed correctly, including ones with lower-case parts', () => {
    expect(parseZone('America/Port-au-Prince')).toBe('America/Port-au-Prince');
    expect(parseZone('AMERICA/NEW_YORK')).toBe('America/New_York');
    expect(parseZone('Asia/Saigon')).toBe('Asia/Saigon');
  });
});
