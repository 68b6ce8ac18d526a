export { Alerting, type AlertingArgs } from "./alerting";
export {
  type DeployedTable,
  type HandlerFactory,
  HandlerFunction,
  type HandlerFunctionArgs,
  type ServiceArns,
} from "./handler-function";
export { Identity, type IdentityArgs } from "./identity";
export { OrderWorkflow, type OrderWorkflowArgs } from "./order-workflow";
export { OrdersApi, type OrdersApiArgs, type Throttle } from "./orders-api";
