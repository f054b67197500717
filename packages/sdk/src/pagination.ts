import type { Page } from "./types";

/**
 * A list call: `await` it for the first page, or `for await` over it for every item across
 * pages (fetched lazily, one page at a time, following `next_cursor`).
 */
export class PageIterator<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #fetchPage: (cursor: string | undefined) => Promise<Page<T>>;
  #first: Promise<Page<T>> | undefined;

  constructor(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, startingAfter?: string) {
    this.#fetchPage = fetchPage;
    this.#start = startingAfter;
  }

  readonly #start: string | undefined;

  #firstPage(): Promise<Page<T>> {
    this.#first ??= this.#fetchPage(this.#start);
    return this.#first;
  }

  // biome-ignore lint/suspicious/noThenProperty: a PageIterator is deliberately awaitable
  then<R1 = Page<T>, R2 = never>(
    onFulfilled?: ((page: Page<T>) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let page = await this.#firstPage();
    while (true) {
      yield* page.data;
      if (!page.has_more || !page.next_cursor) return;
      page = await this.#fetchPage(page.next_cursor);
    }
  }

  /** Every item of every page, in order (mind the size of what you ask for). */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}
