import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS, corsAllowMethods } from "../api/cors";
import { type Route, routeKey } from "../api/routes";
import {
  API_FUNCTION_MAX_TIMEOUT_SECONDS,
  apiThrottle,
  lambdaMemoryMb,
  lambdaTimeoutSeconds,
  logRetentionDays as logRetentionDaysRule,
} from "./aws-limits";
import { ArgsChecker, nonEmpty } from "./component-args";
import { type CustomDomain, Edge } from "./edge";
import { type DeployedTable, HandlerFunction, type HandlerFunctionArgs, type ServiceArns } from "./handler-function";

const TYPE = "oms:infra:OrdersApi";

/** One JSON line per request; `authorizerError` says why a token was refused. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  integrationErrorMessage: "$context.integrationErrorMessage",
  authorizerError: "$context.authorizer.error",
});

/** API Gateway's throttling of each route (`defaultRouteSettings`): every route has limits of its own. */
export type Throttle = v.InferOutput<ReturnType<typeof apiThrottle>>;

/** CloudFront and AWS WAF in front of the API (`Edge`): how hard WAF limits each client. */
export interface OrdersApiEdge {
  /** Requests one client IP may make in 5 minutes before WAF blocks it (10 to 2,000,000,000). */
  readonly rateLimitPer5Minutes: pulumi.Input<number>;
}

/** How the orders API is exposed, who may call it, and how its functions run. */
export interface OrdersApiArgs {
  /** The routes to serve (`api/routes.ts`), each with its own function, granted exactly what the route names. */
  routes: readonly Route[];
  /** The deployed tables by logical name (`Data.tables`); every table a route is granted must be here. */
  tables: Readonly<Record<string, DeployedTable>>;
  /** The `iss` of the tokens the JWT authorizer accepts (`Identity.issuerUrl`). */
  issuerUrl: pulumi.Input<string>;
  /** The app client id tokens must be issued to (`Identity.clientId`). */
  clientId: pulumi.Input<string>;
  /** Throttling, applied to each route separately, as API Gateway's `defaultRouteSettings` does. */
  throttle: pulumi.Input<Throttle>;
  /** Origins browsers may call the API from; `*` allows any. */
  corsAllowedOrigins: pulumi.Input<string[]>;
  /** How long function and access logs are kept, in days (a value CloudWatch Logs accepts). */
  logRetentionDays: pulumi.Input<number>;
  /** Memory of every function, in MB (128 to 10240). */
  functionMemoryMb: pulumi.Input<number>;
  /**
   * Timeout of every function whose route sets no `timeoutSeconds` of its own, in seconds; at most
   * 29 because API Gateway gives up after 30.
   */
  functionTimeoutSeconds: pulumi.Input<number>;
  /** The order workflow's state machine, which place-order starts (`OrderWorkflow.stateMachineArn`). */
  orderWorkflowArn: pulumi.Input<string>;
  /**
   * Serve the API on this host name: on CloudFront when `edge` is given (its certificate then in
   * us-east-1), else on a regional API Gateway domain name and API mapping, as well as on the
   * execute-api URL.
   */
  customDomain?: CustomDomain;
  /**
   * Put CloudFront and AWS WAF (`Edge`) in front of the API's execute-api host, and serve clients there.
   * @default no edge: clients call API Gateway directly
   */
  edge?: OrdersApiEdge;
  /** The stack's name: the functions' business metrics go to `businessMetricsNamespace(stack)`. */
  stack: string;
}

/**
 * The orders API: an HTTP API serving the routes it is given, each behind the JWT authorizer and
 * backed by its own least-privilege function, which is handed the tables and the ARNs of the
 * services its route names; with `edge`, CloudFront and AWS WAF (`Edge`) in front of it.
 */
export class OrdersApi extends pulumi.ComponentResource {
  /**
   * The API's base URL, as clients should call it: `https://<customDomain>/` when it has one, else
   * CloudFront's URL behind an edge, else the `$default` stage's invoke URL.
   */
  public readonly url: pulumi.Output<string>;
  /**
   * Where the custom domain's DNS record must point (a CNAME or alias to the CloudFront
   * distribution behind an edge, else to API Gateway's regional domain name); undefined without a
   * custom domain.
   */
  public readonly customDomainTarget: pulumi.Output<string | undefined>;
  /** The HTTP API's id: the `ApiId` dimension of its metrics. */
  public readonly apiId: pulumi.Output<string>;
  /** Deployed function names, by route function name (`create-order`): what `Alerting` watches. */
  public readonly functions: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: OrdersApiArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const routes = checker.value(args.routes, nonEmpty("routes", v.any()));
    const throttle = checker.input(args.throttle, apiThrottle("throttle"));
    const corsAllowedOrigins = checker.input(args.corsAllowedOrigins, nonEmpty("corsAllowedOrigins", v.string()));
    const logRetentionDays = checker.input(args.logRetentionDays, logRetentionDaysRule("logRetentionDays"));
    const functionMemoryMb = checker.input(args.functionMemoryMb, lambdaMemoryMb("functionMemoryMb"));
    const functionTimeoutSeconds = checker.input(
      args.functionTimeoutSeconds,
      lambdaTimeoutSeconds("functionTimeoutSeconds", API_FUNCTION_MAX_TIMEOUT_SECONDS),
    );
    super(TYPE, name, {}, opts);

    const serviceArns: ServiceArns = { orderWorkflow: args.orderWorkflowArn };
    const api = this.createApi(name, routes, corsAllowedOrigins);
    const authorizer = this.createAuthorizer(name, api, args.issuerUrl, args.clientId);
    const functions = routes.map((route) => {
      const fn = this.createFunction(name, route, args.tables, serviceArns, {
        memoryMb: functionMemoryMb,
        timeoutSeconds: route.timeoutSeconds ?? functionTimeoutSeconds,
        logRetentionDays,
        stack: args.stack,
      });
      this.createRoute(name, api, authorizer, route, fn);
      return [route.functionName, fn.functionName] as const;
    });
    const stage = this.createStage(name, api, throttle, logRetentionDays);
    const executeApiDomainName = api.apiEndpoint.apply((endpoint) => new URL(endpoint).host);
    // Behind the edge, CloudFront serves the custom domain; the API keeps only its execute-api URL.
    const edge = args.edge && this.createEdge(name, executeApiDomainName, args.edge, args.customDomain);
    const domain = !edge && args.customDomain && this.createCustomDomain(name, api, stage, args.customDomain);

    this.url = edge ? edge.url : domain ? pulumi.interpolate`https://${domain.domainName}/` : stage.invokeUrl;
    this.customDomainTarget =
      edge && args.customDomain
        ? edge.distributionDomainName
        : domain
          ? domain.domainNameConfiguration.targetDomainName
          : pulumi.output<string | undefined>(undefined);
    this.apiId = api.id;
    this.functions = Object.fromEntries(functions);
    this.registerOutputs({
      url: this.url,
      customDomainTarget: this.customDomainTarget,
      apiId: this.apiId,
      functions: this.functions,
    });
  }

  private createApi(
    name: string,
    routes: readonly Route[],
    allowOrigins: pulumi.Input<string[]>,
  ): aws.apigatewayv2.Api {
    return new aws.apigatewayv2.Api(
      name,
      {
        protocolType: "HTTP",
        // Stays on even behind CloudFront: it is CloudFront's origin (disabled, it would answer
        // CloudFront 403 too). Callers who use it directly skip WAF, but not the JWT authorizer or
        // the stage's throttling.
        disableExecuteApiEndpoint: false,
        // API Gateway answers preflight requests itself, before the authorizer: browsers send them without a token.
        corsConfiguration: {
          allowOrigins,
          allowMethods: corsAllowMethods(routes),
          allowHeaders: [...CORS_ALLOW_HEADERS],
          exposeHeaders: [...CORS_EXPOSE_HEADERS],
          maxAge: CORS_MAX_AGE_SECONDS,
        },
      },
      { parent: this },
    );
  }

  private createAuthorizer(
    name: string,
    api: aws.apigatewayv2.Api,
    issuer: pulumi.Input<string>,
    clientId: pulumi.Input<string>,
  ): aws.apigatewayv2.Authorizer {
    return new aws.apigatewayv2.Authorizer(
      `${name}-jwt`,
      {
        apiId: api.id,
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: { issuer, audiences: [clientId] },
      },
      { parent: this },
    );
  }

  private createFunction(
    name: string,
    route: Route,
    deployedTables: Readonly<Record<string, DeployedTable>>,
    serviceArns: ServiceArns,
    settings: Pick<HandlerFunctionArgs, "memoryMb" | "timeoutSeconds" | "logRetentionDays" | "stack">,
  ): HandlerFunction {
    return new HandlerFunction(
      `${name}-${route.functionName}`,
      {
        handler: route.handler,
        grants: route.grants,
        tables: deployedTables,
        ...(route.services === undefined ? {} : { services: route.services, serviceArns }),
        ...settings,
      },
      { parent: this },
    );
  }

  /** The route, its integration with the function, and the permission for this route alone to invoke it. */
  private createRoute(
    name: string,
    api: aws.apigatewayv2.Api,
    authorizer: aws.apigatewayv2.Authorizer,
    route: Route,
    fn: HandlerFunction,
  ): aws.apigatewayv2.Route {
    const childName = `${name}-${route.functionName}`;
    const integration = new aws.apigatewayv2.Integration(
      childName,
      {
        apiId: api.id,
        integrationType: "AWS_PROXY",
        integrationUri: fn.invokeArn,
        payloadFormatVersion: "2.0",
      },
      { parent: this },
    );
    new aws.lambda.Permission(
      childName,
      {
        action: "lambda:InvokeFunction",
        function: fn.functionName,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${api.executionArn}/*/${route.method}${sourceArnPath(route.path)}`,
      },
      { parent: this },
    );
    return new aws.apigatewayv2.Route(
      childName,
      {
        apiId: api.id,
        routeKey: routeKey(route),
        authorizationType: "JWT",
        authorizerId: authorizer.id,
        target: pulumi.interpolate`integrations/${integration.id}`,
      },
      { parent: this },
    );
  }

  private createStage(
    name: string,
    api: aws.apigatewayv2.Api,
    throttle: pulumi.Output<Throttle>,
    logRetentionDays: pulumi.Input<number>,
  ): aws.apigatewayv2.Stage {
    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-access-logs`,
      { retentionInDays: logRetentionDays },
      { parent: this },
    );
    return new aws.apigatewayv2.Stage(
      `${name}-default`,
      {
        apiId: api.id,
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingBurstLimit: throttle.burstLimit,
          throttlingRateLimit: throttle.rateLimit,
        },
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      },
      { parent: this },
    );
  }

  /** CloudFront and WAF in front of the execute-api host, serving the custom domain if there is one. */
  private createEdge(
    name: string,
    originDomainName: pulumi.Output<string>,
    edge: OrdersApiEdge,
    customDomain: CustomDomain | undefined,
  ): Edge {
    return new Edge(
      name,
      {
        originDomainName,
        rateLimitPer5Minutes: edge.rateLimitPer5Minutes,
        ...(customDomain ? { customDomain } : {}),
      },
      // The edge was once composed at the top of the program: the alias keeps its URN, and its
      // children's, so that moving it under the API replaces nothing.
      { parent: this, aliases: [{ parent: pulumi.rootStackResource }] },
    );
  }

  /** The custom domain, mapped to the `$default` stage at its root, with TLS 1.2 at least. */
  private createCustomDomain(
    name: string,
    api: aws.apigatewayv2.Api,
    stage: aws.apigatewayv2.Stage,
    customDomain: CustomDomain,
  ): aws.apigatewayv2.DomainName {
    const domain = new aws.apigatewayv2.DomainName(
      `${name}-domain`,
      {
        domainName: customDomain.domainName,
        domainNameConfiguration: {
          certificateArn: customDomain.certificateArn,
          endpointType: "REGIONAL",
          securityPolicy: "TLS_1_2",
        },
      },
      { parent: this },
    );
    new aws.apigatewayv2.ApiMapping(
      `${name}-domain`,
      { apiId: api.id, domainName: domain.id, stage: stage.id },
      { parent: this },
    );
    return domain;
  }
}

/**
 * The path as it appears in the ARN API Gateway invokes with: the request's actual path, so a path
 * parameter (`{id}`) must be a wildcard there, as SAM writes it, or every call to the route is refused.
 */
function sourceArnPath(path: string): string {
  return path.replace(/\{[^}]+\}/g, "*");
}
