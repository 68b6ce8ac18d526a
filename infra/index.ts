export { Alerting, type AlertingArgs } from "./alerting";
export { type DeployedTable, HandlerFunction, type HandlerFunctionArgs } from "./handler-function";
export { Identity, type IdentityArgs } from "./identity";
export { OrdersApi, type OrdersApiArgs, type Throttle } from "./orders-api";
