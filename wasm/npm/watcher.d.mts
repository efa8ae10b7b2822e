import type { Decision, Engine, Request, TrustedKeys } from './web/clearance.js';

/** What `Watcher` needs: the server, an `edge` token, the trusted bundle keys. */
export interface WatcherOptions {
  url: string;
  token: string;
  keys: TrustedKeys;
  /** Long-poll, in seconds (default 25; the server holds at most 30). */
  wait?: number;
  /** Records loaded into every engine the watcher swaps in. */
  records?: unknown;
  fetch?: typeof globalThis.fetch;
  onSwap?: (swap: { from: number; to: number }) => void;
  onError?: (error: Error & { code: string }) => void;
  backoff?: { baseMs?: number; maxMs?: number };
  /** Record decisions and ship them to the server (`true`: the defaults). */
  events?: boolean | { flushMs?: number; batchSize?: number; maxBuffered?: number };
}

/** Keeps an engine current from a Clearance server (long-poll, verify, swap). */
export declare class Watcher {
  constructor(options: WatcherOptions);
  /** Resolves with the revision once the first bundle is in use. */
  start(): Promise<number>;
  ready(): Promise<number>;
  stop(): void;
  /** One look at the server without waiting (workerd: `ctx.waitUntil(watcher.refresh())`); the revision in use. */
  refresh(): Promise<number>;
  free(): void;
  readonly engine: Engine;
  readonly revision: number;
  readonly lastError: (Error & { code: string }) | null;
  loadRecords(records: unknown): void;
  /** Sends the recorded decisions now; how many the server accepted. */
  flushEvents(): Promise<number>;
  readonly eventsDropped: number;
  /** `atLeast`: answer from that revision or newer, else throw `behind_revision`. */
  check(request: Request | string, options?: { atLeast?: number }): Decision & { revision: number };
  isAllowed(request: Request | string, options?: { atLeast?: number }): boolean;
}
