/**
 * Credentials as the AWS SDK asks for them. Declared here (structurally the SDK's
 * AwsCredentialIdentityProvider) so the app depends on no transitive SDK package.
 */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** When temporary credentials stop working; the SDK asks again before then. */
  readonly expiration?: Date;
}

export type CredentialsProvider = () => Promise<AwsCredentials>;

export function staticCredentials(credentials: AwsCredentials): CredentialsProvider {
  const frozen = Object.freeze({ ...credentials });
  return async () => frozen;
}
