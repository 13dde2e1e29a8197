import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  AssetHashType,
  DockerImage,
  Duration,
  type ILocalBundling,
  RemovalPolicy,
  Validations,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '#config/env.ts';
import { BUNDLED_CONFIG, type BundledAsset, LAMBDA_HANDLER, PROJECT_ROOT } from '../bundle.ts';

export { BUNDLED_CONFIG, type BundledAsset, PROJECT_ROOT };

const BUNDLE_SCRIPT = `${PROJECT_ROOT}scripts/bundle-lambda.ts`;

export type MeldrouteFunctionProps = {
  /** File name under functions/handlers/, without .ts. */
  handler: string;
  description: string;
  /** The parsed municipality config, bundled as config.json (never an env var). */
  configJson: string;
  key: kms.IKey;
  logRetentionDays: number;
  assets?: BundledAsset[];
  environment?: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  /** Caps what a runaway (a loop, a flood) can cost; undefined when the account cannot reserve. */
  reservedConcurrency?: number;
};

/**
 * One Meldroute Lambda: Node.js 22 on arm64, bundled by a local esbuild with
 * infra/bundle.ts (the build bench/suites/lambda-bundles.ts measures) as
 * minified ESM with source maps: index.mjs, plus chunks for code it imports
 * lazily. Its own role (nothing but its log group until grants are added) and
 * its own KMS-encrypted log group.
 */
export class MeldrouteFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MeldrouteFunctionProps) {
    super(scope, id);
    const entry = `${PROJECT_ROOT}functions/handlers/${props.handler}.ts`;
    if (!existsSync(entry)) throw new Error(`Lambda entry ${entry} does not exist`);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.key,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Meldroute ${props.handler} function`,
    });
    // Instead of the AWSLambdaBasicExecutionRole managed policy: this log group only.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const code = lambda.Code.fromAsset(PROJECT_ROOT, {
      // The hash of what is deployed, not of the whole project directory.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never Docker: there is no engine in CI, and a local esbuild is pinned in package.json.
        image: DockerImage.fromRegistry('dummy'),
        local: new LocalEsbuild(entry, props.assets ?? [], props.configJson),
      },
    });
    this.fn = new NodejsFunction(this, 'Function', {
      code,
      handler: LAMBDA_HANDLER,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      ...(props.reservedConcurrency
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `meldroute-${props.handler}`,
        [ENV.configFile]: BUNDLED_CONFIG,
        ...props.environment,
      },
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 (LTS) is chosen deliberately: it is the runtime the handlers and their pinned dependencies are tested for. Moving to 24 is a separate, tested change.',
    });
  }
}

/**
 * Runs scripts/bundle-lambda.ts (infra/bundle.ts) and waits for it: CDK's
 * bundling hook is synchronous, esbuild plugins only run in esbuild's
 * asynchronous API. The fields are data, not only the closure, because CDK
 * caches staged assets by their bundling options serialised as JSON.
 */
class LocalEsbuild implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly assets: readonly BundledAsset[],
    /** The config travels inside the bundle, not in an env var (ADR 0010). */
    readonly configJson: string,
  ) {}

  tryBundle(outputDir: string): boolean {
    execFileSync(process.execPath, ['--import', 'tsx', BUNDLE_SCRIPT], {
      cwd: PROJECT_ROOT,
      input: JSON.stringify({
        entry: this.entry,
        outdir: outputDir,
        assets: this.assets,
        configBase64: Buffer.from(this.configJson).toString('base64'),
      }),
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    return true;
  }
}
