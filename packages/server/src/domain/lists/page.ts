import { NotFound } from "../errors";

export interface PageRequest {
  limit: number;
  starting_after?: string | undefined;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/**
 * Cursor pagination, newest first, over an autoincrement `seq`: the cursor is the last id seen,
 * resolved to its seq (within the same tenant) so pages never skip or repeat a row.
 */
export async function resolveCursor(
  request: PageRequest,
  findSeq: (id: string) => Promise<number | undefined>,
  resource: string,
): Promise<number | undefined> {
  if (!request.starting_after) return undefined;
  const seq = await findSeq(request.starting_after);
  if (seq === undefined) throw NotFound(resource, request.starting_after, "starting_after");
  return seq;
}

export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data, has_more: hasMore, next_cursor: hasMore ? (data[data.length - 1]?.id ?? null) : null };
}
