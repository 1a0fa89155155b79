import type { AppError } from './errors';

/** PostgreSQL unique_violation (23505). */
export const isUniqueViolation = (error: unknown): boolean => (error as { code?: string } | undefined)?.code === '23505';

/** PostgreSQL foreign_key_violation (23503): a parent is missing, or a child still refers to the row. */
export const isForeignKeyViolation = (error: unknown): boolean => (error as { code?: string } | undefined)?.code === '23503';

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
