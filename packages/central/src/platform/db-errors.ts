import type { AppError } from './errors';

/** PostgreSQL unique_violation (23505). */
export const isUniqueViolation = (error: unknown): boolean =>
  (error as { code?: string } | undefined)?.code === '23505';

/**
 * A foreign key refused the change: foreign_key_violation (23503) when the parent is missing
 * (or a NO ACTION key still has children), restrict_violation (23001) when an
 * `ON DELETE RESTRICT` key still has children (every tenancy key is RESTRICT).
 */
export const isForeignKeyViolation = (error: unknown): boolean => {
  const code = (error as { code?: string } | undefined)?.code;
  return code === '23503' || code === '23001';
};

/**
 * Run `fn` (usually a whole transaction) and turn a constraint violation into the user-facing
 * error given for it. Anything else passes through unchanged.
 */
export async function translateConstraintErrors<T>(
  fn: () => Promise<T>,
  on: { unique?: () => AppError; foreignKey?: () => AppError },
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (on.unique && isUniqueViolation(error)) throw on.unique();
    if (on.foreignKey && isForeignKeyViolation(error)) throw on.foreignKey();
    throw error;
  }
}
