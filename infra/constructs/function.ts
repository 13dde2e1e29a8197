import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '#config/env.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Files a handler reads at run time next to its bundle (relative to import.meta.url). */
export type BundledAsset =
  /** templates/compiled/*.html and templates/*.txt, read by templates/render.ts. */
  | 'templates'
  /** forms/static/meldroute.css, read by forms/app.tsx at import. */
  | 'stylesheet';

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

/** Relative to the bundle directory, i.e. /var/task on Lambda. */
export const BUNDLED_CONFIG = 'config.json';

/**
 * One Meldroute Lambda: Node.js 22 on arm64, bundled by a local esbuild as one
 * minified ESM file with a source map, its own role (nothing but its log group
 * until grants are added) and its own KMS-encrypted log group.
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

    const configB64 = Buffer.from(props.configJson).toString('base64');
    const assets = props.assets ?? [];
    this.fn = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
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
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `meldroute-${props.handler}`,
        [ENV.configFile]: BUNDLED_CONFIG,
        ...props.environment,
      },
      bundling: {
        // Never Docker: there is no engine in CI, and a local esbuild is pinned in package.json.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        logLevel: LogLevel.WARNING,
        mainFields: ['module', 'main'],
        // Bundle the AWS SDK too: the versions we test are the versions we run (ADR 0010).
        externalModules: [],
        // Bundled CommonJS dependencies call require() for Node built-ins.
        banner:
          "import { createRequire as __meldrouteRequire } from 'node:module'; const require = __meldrouteRequire(import.meta.url);",
        tsconfig: `${PROJECT_ROOT}tsconfig.json`,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            // The config travels inside the bundle, not in an env var (ADR 0010).
            `node -e "require('fs').writeFileSync(process.argv[1], Buffer.from(process.argv[2], 'base64'))" "${outputDir}/${BUNDLED_CONFIG}" ${configB64}`,
            ...(assets.includes('templates')
              ? [
                  `mkdir -p "${outputDir}/compiled"`,
                  `cp "${inputDir}"/templates/compiled/*.html "${outputDir}/compiled/"`,
                  `cp "${inputDir}"/templates/*.txt "${outputDir}/"`,
                ]
              : []),
            ...(assets.includes('stylesheet')
              ? [
                  `mkdir -p "${outputDir}/static"`,
                  `cp "${inputDir}/forms/static/meldroute.css" "${outputDir}/static/"`,
                ]
              : []),
          ],
        },
      },
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 (LTS) is chosen deliberately: it is the runtime the handlers and their pinned dependencies are tested for. Moving to 24 is a separate, tested change.',
    });
  }
}
