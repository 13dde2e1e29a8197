import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { ENV } from '#config/env.ts';
import {
  grantEnvelope,
  grantKeyViaServices,
  grantListObjects,
  grantObjects,
  grantSecretDerivation,
  grantTable,
} from './access.ts';
import { MeldrouteFunction } from './function.ts';
import type { Shared } from './shared.ts';

/**
 * The web app (staff form, officer inbox, sign-in) as one Lambda behind an
 * HTTP API: throttled, access-logged, optionally on the municipality's own
 * domain. There is no /dev/mail here: the composition root never passes a
 * mail directory.
 */
export class Web extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly web: MeldrouteFunction;
  /** https://… where people reach the app; links in emails start with it. */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, shared: Shared) {
    super(scope, id);
    const { settings, data } = shared;
    const custom = settings.webDomain && settings.certificateArn ? settings.webDomain : undefined;

    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: `${settings.prefix}-web`,
      description: 'Meldroute web app',
      createDefaultStage: false,
      // With a custom domain the execute-api address would be a second, unexpected origin.
      disableExecuteApiEndpoint: Boolean(custom),
    });
    this.baseUrl = custom ? `https://${custom}` : this.api.apiEndpoint;

    this.web = new MeldrouteFunction(this, 'Web', {
      ...shared.functionDefaults,
      handler: 'web',
      description: 'Meldroute web app (Hono) behind API Gateway',
      assets: ['templates', 'stylesheet'],
      memorySize: 1024,
      // API Gateway gives up after 30 s; answer (or fail) well before.
      timeout: Duration.seconds(20),
      reservedConcurrency: shared.reserve(20),
      environment: {
        ...shared.environment,
        [ENV.baseUrl]: this.baseUrl,
        [ENV.secretsKeyArn]: data.secretsKey.keyArn,
        [ENV.attachmentsBucket]: data.attachments.bucketName,
      },
    });
    const role = this.web.role;
    grantTable(
      role,
      data.table,
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        // Early erasure finds a signal's blind-index entries, whose keys it cannot recompute.
        'dynamodb:Scan',
      ],
      ['byReceived', 'byStatus', 'due', 'agenda'],
    );
    grantKeyViaServices(role, data.key, ['dynamodb', 's3']);
    // Officers download attachments and reporter additions; early erasure deletes them.
    grantObjects(role, data.attachments, '', ['s3:GetObject', 's3:DeleteObject']);
    grantListObjects(role, data.attachments, ['attachments/*', 'additions/*', 'processed/*']);
    // Staff and officers: every part of their own municipality. A partner-facing
    // function gets its own role without the reporter part.
    grantEnvelope(role, data.key, {
      municipality: settings.config.municipality.code,
      encrypt: 'any',
      decrypt: 'any',
    });
    grantSecretDerivation(role, data.secretsKey);

    // One catch-all route: the app does its own routing, 404 page included.
    const route = new apigw.HttpRoute(this, 'Default', {
      httpApi: this.api,
      routeKey: apigw.HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('WebIntegration', this.web.fn),
    });
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The app authenticates itself: sign-in by an emailed one-time link, server-side sessions, CSRF tokens on every form (ADR 0002). The staff form and sign-in pages must be reachable before sign-in.',
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: data.key,
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const domainName = custom
      ? new apigw.DomainName(this, 'Domain', {
          domainName: custom,
          certificate: acm.Certificate.fromCertificateArn(
            this,
            'Certificate',
            settings.certificateArn ?? '',
          ),
          securityPolicy: apigw.SecurityPolicy.TLS_1_2,
        })
      : undefined;
    this.stage = new apigw.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.webRateLimit, burstLimit: settings.webBurstLimit },
      ...(domainName ? { domainMapping: { domainName } } : {}),
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        // No path (sign-in links carry a token in it), no IP address, no user agent:
        // nothing that identifies a person or grants access.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTimeEpoch',
            method: '$context.httpMethod',
            route: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    if (
      domainName &&
      settings.hostedZoneId &&
      settings.hostedZoneName &&
      custom?.endsWith(settings.hostedZoneName)
    ) {
      new route53.ARecord(this, 'WebAlias', {
        zone: route53.PublicHostedZone.fromHostedZoneAttributes(this, 'Zone', {
          hostedZoneId: settings.hostedZoneId,
          zoneName: settings.hostedZoneName,
        }),
        recordName: custom,
        target: route53.RecordTarget.fromAlias(
          new route53targets.ApiGatewayv2DomainProperties(
            domainName.regionalDomainName,
            domainName.regionalHostedZoneId,
          ),
        ),
      });
    }
  }
}
