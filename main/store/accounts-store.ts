import { z } from 'zod';
import { AccessKeyIdSchema, EpochMsSchema, IdSchema, RegionSchema, RoleArnSchema } from '../../shared/model';
import { openJsonFile } from './atomic-json';
import type { StoreContext } from './store-context';

/**
 * What is kept on disk about an AWS account. Strict on purpose: a secret key or session token can't
 * be stored here by mistake, and a file that has one fails validation instead of being loaded.
 * The secret lives only in the OS keychain.
 */
export const AccountRecordSchema = z
  .object({
    id: IdSchema,
    name: z.string().trim().min(1).max(100),
    region: RegionSchema,
    accessKeyId: AccessKeyIdSchema,
    hasSessionToken: z.boolean(),
    roleArn: RoleArnSchema.optional(),
    endpoint: z.string().max(2048).optional(),
    createdAt: EpochMsSchema,
    /** Bumped on every change so cached AWS clients built from an older version are dropped. */
    revision: z.number().int().nonnegative(),
  })
  .strict();
export type AccountRecord = z.infer<typeof AccountRecordSchema>;

export const MAX_ACCOUNTS = 100;
const AccountRecordsSchema = z.array(AccountRecordSchema).max(MAX_ACCOUNTS);

export interface AccountsStore {
  list(): Promise<AccountRecord[]>;
  /** Read-modify-write of the whole list, serialised with every other change. */
  update(change: (records: AccountRecord[]) => AccountRecord[] | Promise<AccountRecord[]>): Promise<AccountRecord[]>;
}

export function createAccountsStore(ctx: StoreContext): AccountsStore {
  const file = openJsonFile<AccountRecord[]>({ ...ctx, name: 'accounts.json', version: 1, schema: AccountRecordsSchema, defaults: () => [] });
  return {
    list: async () => (await file.read()).value,
    update: (change) => file.update(change),
  };
}
