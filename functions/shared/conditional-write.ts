/**
 * The one way functions tell a refused conditional write (DynamoDB's ConditionalCheckFailed: another writer
 * was first, or the item is not as expected) from a failure: the refusal is an answer, other errors propagate.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** The write's result, or undefined when its condition failed. */
export async function unlessConditionFails<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Whether the write was made: false when its condition failed. */
export async function conditionHeld(write: () => Promise<unknown>): Promise<boolean> {
  const made = await unlessConditionFails(async () => {
    await write();
    return true;
  });
  return made === true;
}
