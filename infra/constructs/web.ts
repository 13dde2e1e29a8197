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
import { PARTNER_KMS_PARTS } from '#config/kms-parts.ts';
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
 * The web app behind one HTTP API (throttled, access-logged, optionally on
 * the municipality's own domain), served by two Lambdas:
 *
 * - `web` (staff form, officer inbox, sign-in, everything but the partner
 *   pages) on the $default route, with every envelope part of its
 *   municipality;
 * - `partner` (a chain partner's emailed link: GET and POST /partner/{token})
 *   on its own route, whose role may unwrap a signal's key and seal mail but
 *   can never decrypt the reporter (docs/adr/0018, rule 1).
 *
 * There is no /dev/mail here: the composition root never passes a mail
 * directory.
 */
export class Web extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly web: MeldrouteFunction;
  readonly partner: MeldrouteFunction;
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
    // Staff and officers: every part of their own municipality. The partner
    // pages run in their own function, whose role has no reporter part (below).
    grantEnvelope(role, data.key, {
      municipality: settings.config.municipality.code,
      encrypt: 'any',
      decrypt: 'any',
    });
    grantSecretDerivation(role, data.secretsKey);

    this.partner = new MeldrouteFunction(this, 'Partner', {
      ...shared.functionDefaults,
      handler: 'partner',
      description: 'Meldroute partner pages (Hono) behind API Gateway; cannot decrypt the reporter',
      // The page layout and the officers' "feedback received" notice.
      assets: ['templates', 'stylesheet'],
      // A page a person waits for, as the web function's.
      memorySize: 1024,
      timeout: Duration.seconds(20),
      // A handful of partners per signal, each opening one link now and then.
      reservedConcurrency: shared.reserve(5),
      environment: {
        ...shared.environment,
        [ENV.baseUrl]: this.baseUrl,
        // Only to derive the partner-link key (the label is fixed in the handler).
        [ENV.secretsKeyArn]: data.secretsKey.keyArn,
      },
    });
    const partnerRole = this.partner.role;
    // openPartnerLink and recordPartnerFeedback: read the signal and its key item,
    // audit entries and a first signal key (put), the feedback (one conditional update).
    grantTable(partnerRole, data.table, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    grantKeyViaServices(partnerRole, data.key, ['dynamodb']);
    // Exactly the parts the partner path uses (functions/config/kms-parts.ts): never `reporter`.
    grantEnvelope(partnerRole, data.key, {
      municipality: settings.config.municipality.code,
      encrypt: [...PARTNER_KMS_PARTS.encrypt],
      decrypt: [...PARTNER_KMS_PARTS.decrypt],
    });
    grantSecretDerivation(partnerRole, data.secretsKey);

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
    // A partner's link goes to the partner function; anything else under /partner/ to the web app's 404.
    const partnerRoute = new apigw.HttpRoute(this, 'PartnerRoute', {
      httpApi: this.api,
      routeKey: apigw.HttpRouteKey.with('/partner/{token}', apigw.HttpMethod.ANY),
      integration: new HttpLambdaIntegration('PartnerIntegration', this.partner.fn),
    });
    Validations.of(partnerRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Partners have no account: the signed, expiring, revocable link (an HMAC under a key derived in KMS) is the credential, checked by the app on every request; only a POST with a CSRF token records anything (docs/adr/0018).',
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
