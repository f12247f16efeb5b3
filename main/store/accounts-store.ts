import { z } from 'zod';
import { AccessKeyIdSchema, EpochMsSchema, IdSchema, ProfileNameSchema, RegionSchema, RoleArnSchema } from '../../shared/model';
import { openJsonFile } from './atomic-json';
import type { StoreContext } from './store-context';

/**
 * What is kept on disk about an account. Strict on purpose: a secret key or session token can't be
 * stored here by mistake, and a file that has one fails validation instead of being loaded. The
 * secret of an access-keys account lives only in the OS keychain; profile and chain accounts keep
 * no secret at all (the AWS SDK reads them from the user's own files or the machine each time).
 */
const RecordBase = {
  id: IdSchema,
  name: z.string().trim().min(1).max(100),
  region: RegionSchema,
  endpoint: z.string().max(2048).optional(),
  createdAt: EpochMsSchema,
  /** Bumped on every change. */
  revision: z.number().int().nonnegative(),
  /**
   * Bumped only when the account would reach AWS as someone else or somewhere else (kind, region,
   * keys, profile, endpoint, role): clients, endpoints and streams of an older identity are dropped.
   */
  identity: z.number().int().nonnegative(),
};

export const AccountRecordSchema = z.discriminatedUnion('kind', [
  z
    .object({
      ...RecordBase,
      kind: z.literal('keys'),
      accessKeyId: AccessKeyIdSchema,
      hasSessionToken: z.boolean(),
      roleArn: RoleArnSchema.optional(),
    })
    .strict(),
  z.object({ ...RecordBase, kind: z.literal('profile'), profile: ProfileNameSchema }).strict(),
  z.object({ ...RecordBase, kind: z.literal('chain') }).strict(),
]);
export type AccountRecord = z.infer<typeof AccountRecordSchema>;

export const MAX_ACCOUNTS = 100;

export const AccountsDocSchema = z
  .object({
    accounts: z.array(AccountRecordSchema).max(MAX_ACCOUNTS),
    /** The built-in Demo cameras account is never removed, only hidden from the picker. */
    demoHidden: z.boolean(),
  })
  .strict();
export type AccountsDoc = z.infer<typeof AccountsDocSchema>;

export const ACCOUNTS_FORMAT_VERSION = 2;

/**
 * Format 1 was a bare array of access-key accounts, before profiles and the default chain existed and
 * before the demo account could be hidden.
 */
export function migrateAccounts(fromVersion: number, data: unknown): unknown {
  if (fromVersion !== 1 || !Array.isArray(data)) return data;
  return {
    accounts: data.map((record: unknown) =>
      typeof record === 'object' && record !== null ? { kind: 'keys', identity: (record as { revision?: unknown }).revision ?? 0, ...record } : record,
    ),
    demoHidden: false,
  };
}

export interface AccountsStore {
  read(): Promise<AccountsDoc>;
  /** Read-modify-write of the whole document, serialised with every other change. */
  update(change: (doc: AccountsDoc) => AccountsDoc | Promise<AccountsDoc>): Promise<AccountsDoc>;
}

export function createAccountsStore(ctx: StoreContext): AccountsStore {
  const file = openJsonFile<AccountsDoc>({
    ...ctx,
    name: 'accounts.json',
    version: ACCOUNTS_FORMAT_VERSION,
    schema: AccountsDocSchema,
    migrate: migrateAccounts,
    defaults: () => ({ accounts: [], demoHidden: false }),
  });
  return {
    read: async () => (await file.read()).value,
    update: (change) => file.update(change),
  };
}
