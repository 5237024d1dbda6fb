import { GrammyError, HttpError, type Api } from 'grammy';
import { systemClock, type Clock } from './clock.ts';
import { SendPacer } from './rate-limit.ts';

/** How one message fared. */
export type SendOutcome =
  | { ok: true; messageId: number }
  /** `gone`: the chat blocked the bot or no longer exists (403, "chat not found"): unsubscribe, never retry. */
  | { ok: false; kind: 'gone'; error: string }
  /** `rejected`: Telegram refused this message (other 4xx): retrying the same message cannot help. */
  | { ok: false; kind: 'rejected'; error: string }
  /** `transient`: network, 5xx, or a flood-wait longer than we wait inline: try again later. */
  | { ok: false; kind: 'transient'; error: string }
  /** `cancelled`: `beforeSend` said no (the claim went to another replica); nothing was sent. */
  | { ok: false; kind: 'cancelled'; error: string };

/** Options of {@link Broadcaster}. */
export interface BroadcasterOptions {
  /** Messages per second overall (config.digest.broadcastPerSecond; Telegram allows about 30). */
  perSecond: number;
  /** Least time between two messages to one chat. Default 1000 ms. */
  perChatMs?: number;
  /** 429 answers retried per message before giving up for this round. Default 5. */
  maxFloodRetries?: number;
  /** A `retry_after` longer than this is not waited for inline (the message fails as transient). Default 120 s. */
  maxRetryAfterSeconds?: number;
  /** Clock for pacing and flood-waits (default: the system clock). */
  clock?: Clock;
}

/** What the broadcaster tells its caller (for logs and tests). */
export interface BroadcasterEvents {
  onFloodWait?(chatId: number, retryAfterSeconds: number): void;
}

/**
 * Sends digest messages through a grammY {@link Api} within Telegram's broadcast limits:
 * paced overall and per chat ({@link SendPacer}); a 429 pauses every sender for its
 * `retry_after` and retries the message (bounded); errors are sorted into what the caller
 * must do next ({@link SendOutcome}). Give it an `Api` without the auto-retry transformer,
 * so 429s reach it.
 */
export class Broadcaster {
  private readonly pacer: SendPacer;
  private readonly clock: Clock;
  private readonly maxFloodRetries: number;
  private readonly maxRetryAfterSeconds: number;

  constructor(
    private readonly api: Api,
    options: BroadcasterOptions,
    private readonly events: BroadcasterEvents = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.pacer = new SendPacer(this.clock, options.perSecond, options.perChatMs ?? 1000);
    this.maxFloodRetries = options.maxFloodRetries ?? 5;
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 120;
    this.perSecond = options.perSecond;
  }

  private readonly perSecond: number;

  /** Takes `1/replicas` of the configured rate, so replicas together stay within Telegram's limit. */
  shareWith(replicas: number): void {
    this.pacer.setRate(this.perSecond / Math.max(1, replicas));
  }

  /**
   * Sends one HTML message to a chat, waiting for its turn and through flood-waits.
   * `beforeSend` runs when it is the message's turn, just before the request (the caller marks
   * the message as on the wire there); false cancels the send.
   */
  async send(chatId: number, html: string, beforeSend?: () => Promise<boolean>): Promise<SendOutcome> {
    for (let floods = 0; ; floods++) {
      await this.pacer.acquire(chatId);
      if (beforeSend && !(await beforeSend())) return { ok: false, kind: 'cancelled', error: 'the claim is no longer ours' };
      try {
        const message = await this.api.sendMessage(chatId, html, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        });
        return { ok: true, messageId: message.message_id };
      } catch (err) {
        const outcome = classify(err);
        if (outcome.kind !== 'flood') return outcome;
        if (outcome.retryAfter > this.maxRetryAfterSeconds || floods >= this.maxFloodRetries) {
          return { ok: false, kind: 'transient', error: outcome.error };
        }
        this.events.onFloodWait?.(chatId, outcome.retryAfter);
        this.pacer.pause(outcome.retryAfter * 1000);
      }
    }
  }
}

type Classified = Exclude<SendOutcome, { ok: true }> | { kind: 'flood'; retryAfter: number; error: string };

/** Sorts a failed sendMessage into flood-wait, gone, rejected or transient. */
export function classify(err: unknown): Classified {
  if (err instanceof GrammyError) {
    const error = `${err.error_code}: ${err.description}`;
    if (err.error_code === 429) return { kind: 'flood', retryAfter: Math.max(1, err.parameters.retry_after ?? 1), error };
    if (err.error_code === 403) return { ok: false, kind: 'gone', error };
    if (err.error_code === 400 && /chat not found|user not found|peer_id_invalid|chat_id is empty/i.test(err.description)) {
      return { ok: false, kind: 'gone', error };
    }
    // 401/404: the token or API root is wrong; that is the bot's problem, not this chat's.
    if (err.error_code === 401 || err.error_code === 404) return { ok: false, kind: 'transient', error };
    if (err.error_code >= 400 && err.error_code < 500) return { ok: false, kind: 'rejected', error };
    return { ok: false, kind: 'transient', error };
  }
  if (err instanceof HttpError) return { ok: false, kind: 'transient', error: `network: ${err.message}` };
  return { ok: false, kind: 'transient', error: err instanceof Error ? err.message : String(err) };
}
