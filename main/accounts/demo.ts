/**
 * The built-in "Demo cameras" account: the embedded emulator, started on first use. Its keys only
 * open that local emulator and ship with the app, so they are not secrets and never go to the keychain.
 */
export const DEMO_ACCOUNT_ID = 'demo';
export const DEMO_ACCOUNT_NAME = 'Demo cameras';
/** Shown in the account list before the emulator has started and reported its own region. */
export const DEMO_DEFAULT_REGION = 'us-west-2';

export interface DemoEndpoint {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface DemoSource {
  /** Starts the embedded emulator if needed (idempotent) and says where it listens. */
  ensureStarted(): Promise<DemoEndpoint>;
}
