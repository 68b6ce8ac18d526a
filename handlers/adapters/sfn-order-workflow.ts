import { StartSyncExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { interpretExecution } from "../../domain/placement";
import type { OrderWorkflow } from "../../domain/ports";

/** The order workflow as an Express state machine, run synchronously so the API can answer with its result. */
export function sfnOrderWorkflow(client: SFNClient, stateMachineArn: string): OrderWorkflow {
  return {
    async place(order) {
      const result = await client.send(
        new StartSyncExecutionCommand({ stateMachineArn, name: order.OrderId, input: JSON.stringify({ order }) }),
      );
      return interpretExecution(
        {
          status: result.status ?? "FAILED",
          ...(result.output !== undefined ? { output: result.output } : {}),
          ...(result.error !== undefined ? { error: result.error } : {}),
          ...(result.cause !== undefined ? { cause: result.cause } : {}),
        },
        order,
      );
    },
  };
}
