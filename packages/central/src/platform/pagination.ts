import { AppError } from './errors';

/** Cursors are opaque to clients: the last id of the page, base64url encoded. */
function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID.test(id)) {
    throw new AppError('VALIDATION_FAILED', 'Invalid query', {
      details: { issues: [{ path: ['cursor'], message: 'malformed cursor', code: 'custom' }] },
    });
  }
  return id;
}

/** Fetch limit + 1 rows; this turns them into a page and the cursor of the next one. */
export function toPage<Row extends { id: string }, Item>(
  rows: Row[],
  limit: number,
  map: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return { items: pageRows.map(map), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

/** A LIKE pattern matching `q` anywhere, with LIKE's wildcards in `q` taken literally. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
