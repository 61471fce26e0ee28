// What a step refuses with, for tests: the HdsError it throws (each one, for HdsErrors). A step that
// throws nothing, or anything else, fails the test — a refusal must always be a coded one.
import { HdsError, HdsErrors } from '../../contract/hds-error.js';

export interface Refusal {
  code: string;
  field?: string;
  message: string;
}

/** The one HdsError `step` throws. */
export function refusalOf(step: () => unknown): HdsError {
  try {
    step();
  } catch (error) {
    if (error instanceof HdsError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** The HdsError `promise` rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<HdsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HdsError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** Every refusal `step` throws, as plain objects (an HdsErrors gives each of its errors). */
export function refusalsOf(step: () => unknown): Refusal[] {
  try {
    step();
  } catch (error) {
    if (error instanceof HdsErrors)
      return error.errors.map(({ code, field, message }) => ({ code, field, message }));
    if (error instanceof HdsError) return [{ code: error.code, field: error.field, message: error.message }];
    throw error;
  }
  throw new Error('expected a refusal');
}
