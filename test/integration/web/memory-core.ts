import { silentLogger } from '../../../main/core/logger';
import { createDispatcher } from '../../../main/ipc/dispatcher';
import { createEventHub } from '../../../main/ipc/events';
import { createHandlers } from '../../../main/ipc/handlers';
import { contentSecurityPolicy } from '../../../main/shell-policy/csp';
import type { ShellCore } from '../../../main/web/shell-core';
import { MemoryServices } from '../../unit/ipc/memory-services';

/** A ShellCore over the in-memory services, for testing the browser shell's transport alone. */
export function memoryCore(services = new MemoryServices()): ShellCore & { services: MemoryServices; gone: string[]; origins: string[] } {
  const gone: string[] = [];
  const origins: string[] = [];
  return {
    services,
    gone,
    origins,
    dispatch: createDispatcher(createHandlers(services), { logger: silentLogger }),
    events: createEventHub({ logger: silentLogger }),
    contentSecurityPolicy: async (connect = []) => contentSecurityPolicy({ connect: [...connect, ...origins] }),
    senderGone: (id) => void gone.push(id),
    dispose: async () => {},
  };
}
