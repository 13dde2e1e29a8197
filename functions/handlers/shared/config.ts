import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamo/client.ts';
import { ENV } from '#config/env.ts';
import { type Config, ConfigError, parseConfig } from '#core/config.ts';

/**
 * The municipality config on Lambda: a JSON file bundled next to the handler
 * (infra writes it as config.json after esbuild), validated again here with
 * the same schema. BASE_URL, when set, replaces its baseUrl: without a custom
 * domain the API's address is known only at deploy time.
 */
export function loadLambdaConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = requireEnv(env, ENV.configFile);
  const path = isAbsolute(file) ? file : join(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read configuration file ${path}: ${(err as Error).message}`);
  }
  const baseUrl = env[ENV.baseUrl];
  if (baseUrl && raw && typeof raw === 'object') raw = { ...raw, baseUrl };
  return parseConfig(raw, path);
}

/** A missing variable stops the cold start with its name, not an undefined later. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`Environment variable ${name} is not set`);
  return value;
}

/** The table every function works on: its name, and a client (DYNAMODB_ENDPOINT only in tests). */
export function lambdaTable(env: NodeJS.ProcessEnv): {
  table: string;
  doc: DynamoDBDocumentClient;
} {
  const table = requireEnv(env, ENV.tableName);
  const endpoint = env[ENV.dynamoEndpoint];
  return { table, doc: documentClient(endpoint ? { endpoint } : {}) };
}
