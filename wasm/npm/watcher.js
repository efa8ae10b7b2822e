// Watcher: keeps an engine current from a Clearance server. It long-polls
// `GET /v1/bundles/current` with an edge token, verifies each bundle
// (trusted keys, never a revision older than the one it runs: a replayed
// old bundle is `stale_bundle`), loads the resident records into the new
// engine, and only then swaps it in: a check runs on the old engine or the
// new one, never on a mix, and every decision names the revision that made
// it. A failed fetch or a bad bundle keeps the last good engine and retries
// with exponential backoff and jitter. With `events`, decisions are recorded
// and shipped back (`POST /v1/events`) as the engine keeps them (bytes the
// server reads against their revision): in gzip batches, each with an id
// that a retry reuses, so the server stores it once. Runtime-neutral:
// `fetch`, `setTimeout`, `AbortController` and (when present)
// `CompressionStream` only (Node, Deno, Bun, workerd, edge-runtime); an
// entry point may give a faster gzip (Node's entries pass `node:zlib`'s,
// which runs off the main thread: `CompressionStream` in Node costs the
// main thread about half a microsecond an event). One source for both
// module systems: scripts/package.sh appends the export.

function watcherError(code, message, cause) {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.code = code;
  error.errors = [{ path: '', code, message }];
  return error;
}

/** gzip through `CompressionStream`, where the runtime has it. */
function streamGzip(bytes) {
  return new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
}

/** `platform.gzip(bytes) → Promise<bytes>`, when the entry point has a better one than `CompressionStream`. */
function makeWatcher(Engine, platform = {}) {
  const gzip = platform.gzip ?? (typeof globalThis.CompressionStream === 'function' ? streamGzip : null);
  return class Watcher {
    #options;
    #engine = null;
    #revision = 0;
    #tag = null;
    #records;
    #failures = 0;
    #stopped = true;
    #abort = null;
    #first;
    #settle;
    #lastError = null;
    #wake = null;
    #buffered = [];
    #bufferedCount = 0;
    #pending = null;
    #dropped = 0;
    #flusher = null;
    #flushing = null;

    /**
     * `{url, token, keys, wait?, records?, fetch?, onSwap?, onError?, backoff?}`:
     * the server, an `edge` token, the trusted bundle keys (as for
     * `Engine.fromBundle`), the long-poll in seconds (default 25), records
     * to load into every engine, and callbacks for swaps and failures.
     */
    constructor(options) {
      if (!options || typeof options.url !== 'string' || typeof options.token !== 'string' || options.keys == null) {
        throw watcherError('bad_argument', 'a watcher needs `url`, `token` and `keys`');
      }
      const backoff = { baseMs: 500, maxMs: 30000, ...(options.backoff ?? {}) };
      const events = options.events ? { flushMs: 5000, batchSize: 5000, maxBuffered: 100000, ...(options.events === true ? {} : options.events) } : null;
      this.#options = { wait: 25, fetch: globalThis.fetch.bind(globalThis), ...options, backoff, events, url: options.url.replace(/\/+$/, '') };
      this.#records = options.records;
      this.#first = new Promise((resolve) => { this.#settle = resolve; });
    }

    /** The engine in use (`not_ready` before the first bundle loaded). */
    get engine() {
      if (!this.#engine) throw watcherError('not_ready', 'no bundle has loaded yet: await `ready()` first', this.#lastError ?? undefined);
      return this.#engine;
    }

    /** The revision in use (0 before the first bundle). */
    get revision() { return this.#revision; }

    /** The last failure (a fetch or a refused bundle), or `null` since the last success. */
    get lastError() { return this.#lastError; }

    /** Starts watching (and shipping events every `events.flushMs`); resolves with the revision once the first bundle is in use. */
    start() {
      if (this.#stopped) {
        this.#stopped = false;
        this.#loop();
        if (this.#options.events) this.#flusher = setInterval(() => this.flushEvents().catch(() => undefined), this.#options.events.flushMs);
      }
      return this.#first;
    }

    /** Events dropped because the buffer was full (the server unreachable too long). */
    get eventsDropped() { return this.#dropped; }

    /**
     * Sends the recorded decisions to the server now: the batch a failed
     * send left first (same id: stored once), then the rest in batches.
     * Resolves with how many events the server accepted; a failure is
     * reported and thrown, and the events kept for the next flush.
     */
    flushEvents() {
      // One flush at a time: a timer's flush and a caller's share it.
      this.#flushing ??= this.#flush().finally(() => { this.#flushing = null; });
      return this.#flushing;
    }

    async #flush() {
      if (!this.#options.events) return 0;
      this.#collect();
      let accepted = 0;
      try {
        while (this.#pending || this.#buffered.length > 0) {
          this.#pending ??= { batch: globalThis.crypto.randomUUID(), bytes: this.#takeBatch() };
          accepted += await this.#send(this.#pending);
          this.#pending = null;
        }
      } catch (error) {
        this.#report(error);
        throw error;
      }
      return accepted;
    }

    /** The oldest buffered chunks, up to `batchSize` events (at least one chunk), as one body. */
    #takeBatch() {
      let count = 0;
      let end = 0;
      while (end < this.#buffered.length && (end === 0 || count + this.#buffered[end].count <= this.#options.events.batchSize)) {
        count += this.#buffered[end].count;
        end += 1;
      }
      this.#bufferedCount -= count;
      const chunks = this.#buffered.splice(0, end).map((chunk) => chunk.bytes);
      if (chunks.length === 1) return chunks[0];
      const body = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
      chunks.reduce((at, c) => { body.set(c, at); return at + c.length; }, 0);
      return body;
    }

    /**
     * The engine's recorded decisions into the bounded buffer, as the bytes
     * the engine keeps them in (`drainEventWire`: each chunk names its
     * revision; the server writes their JSON Lines against it): chunks of at
     * most `batchSize` events, nothing decoded or rewritten per event.
     */
    #collect(engine = this.#engine) {
      const events = this.#options.events;
      if (!engine || !events) return;
      for (let count = engine.eventsPending; count > 0; count = engine.eventsPending) {
        const bytes = engine.drainEventWire(events.batchSize);
        if (bytes.length === 0) continue;
        this.#buffered.push({ bytes, count: Math.min(count, events.batchSize) });
        this.#bufferedCount += Math.min(count, events.batchSize);
      }
      // Over the bound: the oldest chunks go, whole (at most `batchSize` events too many).
      while (this.#bufferedCount > events.maxBuffered) {
        const { count } = this.#buffered.shift();
        this.#bufferedCount -= count;
        this.#dropped += count;
      }
    }

    async #send(batch) {
      let body = batch.bytes;
      const headers = { authorization: `Bearer ${this.#options.token}`, 'content-type': 'application/vnd.clearance.events', 'x-clearance-batch': batch.batch };
      if (gzip) {
        body = await gzip(body);
        headers['content-encoding'] = 'gzip';
      }
      let response;
      try {
        response = await this.#options.fetch(`${this.#options.url}/v1/events`, { method: 'POST', headers, body });
      } catch (error) {
        throw watcherError('server_unreachable', `cannot reach ${this.#options.url}: ${error?.message ?? error}`, error);
      }
      const answer = await response.json().catch(() => ({}));
      if (response.status !== 200) throw watcherError(answer.code ?? 'server_error', `the server refused the events (${response.status}): ${answer.message ?? ''}`);
      return answer.accepted ?? 0;
    }

    /** Resolves once the first bundle is in use. */
    ready() { return this.#first; }

    /** Stops watching (the engine stays usable until `free`). */
    stop() {
      this.#stopped = true;
      if (this.#flusher) clearInterval(this.#flusher);
      this.#flusher = null;
      this.#abort?.abort();
      this.#wake?.();
    }

    /** Stops, and frees the engine. */
    free() {
      this.stop();
      this.#engine?.free();
      this.#engine = null;
    }

    /** Replaces the resident records (in the engine in use and every later one). */
    loadRecords(records) {
      this.engine.loadRecords(records);
      this.#records = records;
    }

    /**
     * `engine.check`, with the revision that decided. `{atLeast}` asks for
     * that revision or a newer one (a consistency token: the revision an
     * apply made, say): an older engine throws `behind_revision` rather
     * than answer from a policy the caller knows is gone.
     */
    check(request, options) {
      const engine = this.#at(options);
      const decision = engine.check(request);
      decision.revision = this.#revision;
      return decision;
    }

    /** `engine.isAllowed`, on the engine in use (`{atLeast}` as for `check`). */
    isAllowed(request, options) { return this.#at(options).isAllowed(request); }

    #at(options) {
      const engine = this.engine;
      const wanted = options?.atLeast ?? 0;
      if (this.#revision < wanted) {
        throw watcherError('behind_revision', `this engine runs revision ${this.#revision}; the request needs revision ${wanted} or newer`);
      }
      return engine;
    }

    /**
     * One look at the server, without waiting: for runtimes that run code
     * only while a request is served (workerd: `ctx.waitUntil(watcher.refresh())`,
     * or awaited when the engine is older than you accept). Resolves with
     * the revision in use; a failure is reported (`onError`, `lastError`)
     * and the last good engine kept.
     */
    async refresh() {
      try {
        await this.#poll(0);
        this.#failures = 0;
      } catch (error) {
        this.#report(error);
      }
      return this.#revision;
    }

    #report(error) {
      this.#failures += 1;
      this.#lastError = error;
      try { this.#options.onError?.(error); } catch { /* a callback's failure is the caller's */ }
    }

    async #loop() {
      while (!this.#stopped) {
        try {
          await this.#poll(this.#engine ? this.#options.wait : 0);
          this.#failures = 0;
        } catch (error) {
          if (this.#stopped) break;
          this.#report(error);
          const { baseMs, maxMs } = this.#options.backoff;
          const delay = Math.min(maxMs, baseMs * 2 ** Math.min(this.#failures - 1, 16));
          await new Promise((resolve) => {
            const timer = setTimeout(resolve, delay / 2 + Math.random() * delay / 2);
            this.#wake = () => { clearTimeout(timer); resolve(); };
          });
          this.#wake = null;
        }
      }
    }

    async #poll(wait) {
      const headers = { authorization: `Bearer ${this.#options.token}` };
      if (this.#revision > 0) headers['x-clearance-revision'] = String(this.#revision);
      if (this.#tag) headers['if-none-match'] = this.#tag;
      this.#abort = new AbortController();
      let response;
      try {
        response = await this.#options.fetch(`${this.#options.url}/v1/bundles/current?wait=${wait}`, { headers, signal: this.#abort.signal });
      } catch (error) {
        throw watcherError('server_unreachable', `cannot reach ${this.#options.url}: ${error?.message ?? error}`, error);
      }
      if (response.status === 304) {
        await response.arrayBuffer().catch(() => undefined);
        this.#lastError = null;
        return;
      }
      if (response.status !== 200) {
        const body = await response.json().catch(() => ({}));
        throw watcherError(body.code ?? 'server_error', `the server answered ${response.status}: ${body.message ?? ''}`);
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      const next = Engine.fromBundle(bytes, this.#options.keys, { minRevision: this.#revision });
      try {
        if (this.#records !== undefined) next.loadRecords(this.#records);
        if (this.#options.events) next.recordEvents(true);
      } catch (error) {
        next.free();
        throw error;
      }
      this.#swap(next, response.headers.get('etag'));
    }

    #swap(next, tag) {
      const previous = this.#engine;
      const from = this.#revision;
      this.#collect(previous);
      this.#engine = next;
      this.#revision = next.bundleStamp.revision;
      this.#tag = tag;
      this.#lastError = null;
      // Callers holding the previous engine finish with it; it is freed after.
      if (previous) {
        setTimeout(() => {
          this.#collect(previous);
          previous.free();
        }, 1000);
      }
      this.#settle(this.#revision);
      try { this.#options.onSwap?.({ from, to: this.#revision }); } catch { /* the caller's */ }
    }
  };
}
