/** The pure planner: three trees in, operations out (docs/sync-engine.md). */
export { MOVE_CYCLE, isMassDelete, planOperations } from './plan-operations.js';
export {
  DEFAULT_MASS_DELETE_POLICY,
  type ConflictCause,
  type MassDeletePolicy,
  type Operation,
  type OperationKind,
  type Plan,
  type PlanInput,
  type PlanItemId,
  type PlanLocalItem,
  type PlanNotice,
  type PlanRemoteItem,
  type PlanSyncedItem,
} from './plan-types.js';
