/**
 * Every environment variable Meldroute reads, in one place, so the CDK stacks
 * and the runtimes agree on the names.
 */
export const ENV = {
  port: 'PORT',
  host: 'HOST',
  baseUrl: 'BASE_URL',
  dataDir: 'DATA_DIR',
  dynamoEndpoint: 'DYNAMODB_ENDPOINT',
  tableName: 'TABLE_NAME',
  configFile: 'MELDROUTE_CONFIG',
  smtpPort: 'SMTP_PORT',
  smtpHost: 'SMTP_HOST',
  logLevel: 'LOG_LEVEL',
  // AWS only (set by the CDK stacks in infra/; never secret values, only names and ARNs).
  /** The customer-managed KMS key for envelope encryption (Encryption SDK keyring). */
  kmsKeyArn: 'KMS_KEY_ARN',
  /** The KMS HMAC key that derives secrets (blind-index key) without storing them. */
  secretsKeyArn: 'SECRETS_KEY_ARN',
  rawMailBucket: 'RAW_MAIL_BUCKET',
  /** Key prefix under which the SES receipt rule stores raw messages (object key = prefix + SES message id). */
  rawMailPrefix: 'RAW_MAIL_PREFIX',
  attachmentsBucket: 'ATTACHMENTS_BUCKET',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
} as const;

export const DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  dataDir: './var',
  tableName: 'meldroute',
  configFile: 'config/montfoort.example.json',
  smtpPort: 2525,
  smtpHost: '127.0.0.1',
} as const;
