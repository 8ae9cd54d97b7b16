/**
 * A single-consumer async queue: producers `push` items (from callbacks, any time),
 * and one `drain()` loop yields them in push order until `end()`, or throws what was
 * passed to `fail()`. Each item is handled once: O(1) per push and per yield.
 */
export class EventQueue<T> {
  private items: T[] = [];
  private head = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.notify();
  }

  /** No more items: `drain()` finishes once it has yielded what is queued. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** `drain()` throws `error` after yielding what is queued. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = { error };
    this.end();
  }

  async *drain(): AsyncGenerator<T, void, undefined> {
    for (;;) {
      while (this.head < this.items.length) {
        const item = this.items[this.head]!;
        this.head++;
        if (this.head === this.items.length) {
          this.items = [];
          this.head = 0;
        }
        yield item;
      }
      if (this.ended) break;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.failure) throw this.failure.error;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
