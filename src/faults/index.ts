/**
 * Fault injection: specifications (scenario `faults: [...]`, `serve --fault SPEC`) and the
 * seeded injector the emulator (errors, latency) and the HTTP layer (reset, hang) consult.
 */
export {
  checkFault,
  describeFault,
  FAULT_KINDS,
  type FaultKind,
  type FaultLatency,
  type FaultSpec,
  FaultSpecError,
  parseFaultSpec,
} from './fault-spec.ts'
export { CALL_FAULTS, type FaultHit, FaultInjector, type FaultInjectorOptions, TRANSPORT_FAULTS } from './injector.ts'
