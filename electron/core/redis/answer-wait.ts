/**
 * Waiting for a PING answer without mistaking a busy line or a busy process for a dead server.
 *
 * The answer queues behind whatever the server is still sending us (a 100 MB message takes
 * seconds on a loaded machine) and behind our own event loop (a long turn runs the timers
 * before the socket is read). A plain timer blamed the connection for both, dropped it, and
 * the message that was arriving was lost with it (pub/sub keeps nothing). So, as heartbeat
 * protocols do (AMQP: "any octet counts"), the silence budget restarts whenever anything is
 * read, and only time our own process had to notice an answer is spent: a timer that fires late
 * (the loop was blocked, the process descheduled or suspended) is charged at most two ticks.
 */

export interface AnswerWaitOptions {
  /** Silence allowed, in milliseconds of time the process could run. */
  budgetMs: number;
  /** A sum of monotonic counters (bytes read, messages read, read pauses): any change is life. */
  progress: () => number;
  /** Reading held back on purpose: silence says nothing then. */
  held: () => boolean;
}

export type AnswerOutcome<T> = { answered: true; value: T } | { answered: false; silentMs: number };

export function waitForAnswer<T>(reply: Promise<T>, opts: AnswerWaitOptions): Promise<AnswerOutcome<T>> {
  const tickMs = Math.max(5, Math.min(50, Math.floor(opts.budgetMs / 4)));
  return new Promise<AnswerOutcome<T>>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | null = null;
    let spent = 0;
    let seen = opts.progress();
    let last = performance.now();
    const finish = (): void => {
      done = true;
      if (timer) clearTimeout(timer);
      timer = null;
    };
    const tick = (): void => {
      if (done) return;
      const now = performance.now();
      spent += Math.min(now - last, 2 * tickMs);
      last = now;
      const p = opts.progress();
      if (p !== seen || opts.held()) {
        seen = p;
        spent = 0;
      }
      if (spent >= opts.budgetMs) {
        finish();
        resolve({ answered: false, silentMs: Math.round(spent) });
        return;
      }
      timer = setTimeout(tick, tickMs);
      timer.unref?.();
    };
    timer = setTimeout(tick, tickMs);
    timer.unref?.();
    reply.then(
      (value) => {
        if (done) return;
        finish();
        resolve({ answered: true, value });
      },
      (err: unknown) => {
        if (done) return;
        finish();
        reject(err);
      },
    );
  });
}
