import { createAccountService, type AccountServiceDeps } from '../../../main/accounts/accounts';
import type { DemoSource } from '../../../main/accounts/demo';
import { createKeychainVault, type SecretVault } from '../../../main/accounts/keychain';
import { systemClock, type Clock } from '../../../main/core/clock';
import type { Logger } from '../../../main/core/logger';
import { createStreamCatalogue } from '../../../main/kvs/catalogue';
import type { ClientTuning } from '../../../main/kvs/client-config';
import { createKvsClients } from '../../../main/kvs/clients';
import { createEndpointCache, getDataEndpointVia } from '../../../main/kvs/endpoint-cache';
import { createSessionIssuer } from '../../../main/kvs/session-issuer';
import { createAccountCaches } from '../../../main/store/account-caches';
import { createAccountsStore } from '../../../main/store/accounts-store';
import { createNoticeBoard } from '../../../main/store/notices';

/** The services of this area wired the way the app wires them, over one user-data folder. */
export function createServices(options: { dir: string; logger: Logger; demo?: DemoSource; vault?: SecretVault; clock?: Clock; tuning?: ClientTuning; accountOptions?: Partial<AccountServiceDeps> }) {
  const clock = options.clock ?? systemClock;
  const notices = createNoticeBoard();
  const ctx = { dir: options.dir, clock, notices, logger: options.logger };
  const caches = createAccountCaches(ctx);
  const accounts = createAccountService({
    store: createAccountsStore(ctx),
    vault: options.vault ?? createKeychainVault(),
    caches,
    clock,
    logger: options.logger,
    ...(options.demo ? { demo: options.demo } : {}),
    ...options.accountOptions,
  });
  const clients = createKvsClients({ accounts, onCredentialsRefused: (id, err) => accounts.credentialsRefused(id, err), ...(options.tuning ? { tuning: options.tuning } : {}) });
  const endpoints = createEndpointCache({ caches, accounts, lookup: getDataEndpointVia(clients, clock), clock, logger: options.logger });
  const catalogue = createStreamCatalogue({ clients, caches, accounts, clock, logger: options.logger });
  const issuer = createSessionIssuer({ clients, endpoints, clock, logger: options.logger });
  return {
    accounts,
    clients,
    endpoints,
    catalogue,
    issuer,
    notices,
    async close() {
      await endpoints.settled();
      accounts.dispose();
      clients.close();
    },
  };
}
