export { createAccountService, type AccountService, type AccountServiceDeps, type ConnectionTestRequest } from './accounts';
export { createKeychainEntries, createKeychainVault, KEYCHAIN_SERVICE, type KeychainEntries, type SecretVault, type AccountSecrets, type KeytarApi } from './keychain';
export { DEMO_ACCOUNT_ID, DEMO_ACCOUNT_NAME, type DemoSource, type DemoEndpoint } from './demo';
export type { AccountConnection, AccountConnections, AccountChange } from './connection';
export type { AwsCredentials, CredentialsProvider } from './credentials';
export { AWS_REGIONS, isKnownRegion } from './regions';
export { validateAccountInput, validateAccountUpdate } from './validation';
export { iamPolicy } from './iam-policy';
