import { DateTime } from 'luxon';

/** One daily delivery: the subscriber's local date and the instant it is due. */
export interface Slot {
  /** Local date in the subscriber's zone, `YYYY-MM-DD`: the delivery log's key. */
  key: string;
  at: Date;
}

/** The slot of local date `date` (a luxon DateTime in the zone) at `time`. A time skipped by DST moves forward. */
function slotOn(date: DateTime, time: string): Slot {
  const [hour, minute] = time.split(':').map(Number);
  const at = DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, hour, minute },
    { zone: date.zone },
  );
  return { key: date.toISODate()!, at: at.toJSDate() };
}

/** The most recent slot at or before `now` (today's if its time has come, else yesterday's). */
export function latestSlot(time: string, zone: string, now: Date): Slot {
  const local = DateTime.fromJSDate(now, { zone });
  const today = slotOn(local, time);
  if (today.at.getTime() <= now.getTime()) return today;
  return slotOn(local.minus({ days: 1 }), time);
}

/** The first slot strictly after `now` (for "next digest:" in confirmations). */
export function nextSlot(time: string, zone: string, now: Date): Slot {
  const local = DateTime.fromJSDate(now, { zone });
  const today = slotOn(local, time);
  if (today.at.getTime() > now.getTime()) return today;
  return slotOn(local.plus({ days: 1 }), time);
}

/** A slot as the subscriber reads it: `07:30 25/11/2026`. */
export function formatSlot(slot: Slot, zone: string): string {
  return DateTime.fromJSDate(slot.at, { zone }).toFormat('HH:mm dd/MM/yyyy');
}

/**
 * The slot that should be delivered now, or null: the latest slot, if it is no older than
 * `windowMs` (the grace window: a bot that was down sends a missed digest only this late)
 * and not earlier than `scheduleFrom` (subscribing or changing the time never replays a slot
 * that was already past).
 */
export function dueSlot(
  sub: { time: string; zone: string; scheduleFrom: Date },
  now: Date,
  windowMs: number,
): Slot | null {
  const slot = latestSlot(sub.time, sub.zone, now);
  const late = now.getTime() - slot.at.getTime();
  if (late > windowMs) return null;
  if (slot.at.getTime() < sub.scheduleFrom.getTime()) return null;
  return slot;
}
