export { Alerting, type AlertingArgs } from "./alerting";
export { CustomerMail, type CustomerMailArgs } from "./customer-mail";
export { type CustomDomain, Edge, type EdgeArgs } from "./edge";
export { Data, type DataArgs } from "./data";
export {
  type DeployedTable,
  type HandlerFactory,
  HandlerFunction,
  type HandlerFunctionArgs,
  type ServiceArns,
} from "./handler-function";
export { Identity, type IdentityArgs } from "./identity";
export { OperationsDashboard, type OperationsDashboardArgs } from "./operations-dashboard";
export { OrderEvents, type OrderEventsArgs } from "./order-events";
export { ReservationSweeper, type ReservationSweeperArgs } from "./reservation-sweeper";
export { OrderWorkflow, type OrderWorkflowArgs } from "./order-workflow";
export { OrdersApi, type OrdersApiArgs, type Throttle } from "./orders-api";
