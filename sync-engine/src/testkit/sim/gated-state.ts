/**
 * The client state as a crashed engine sees it: once the device's gate has crashed, every read
 * and write of the state throws, through any table reference taken before the crash. A real
 * kill stops the process; here the dead engine's promises still settle, and code in its catch
 * blocks (a scan that reports an unreadable folder and goes on, say) must not write what the
 * killed process never could.
 */
import type { ClientState } from '../../state/index.js';
import { SimulatedCrash, type PortGate } from './port-gate.js';

function gate<T extends object>(target: T, portGate: PortGate, name: string): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      portGate.check(`state ${name}.${String(key)}`);
      const value: unknown = Reflect.get(object, key, receiver);
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          if (portGate.crashed)
            throw new SimulatedCrash(`state ${name}.${String(key)} after the crash`);
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      }
      if (typeof value === 'object' && value !== null) {
        return gate(value, portGate, `${name}.${String(key)}`);
      }
      return value;
    },
  });
}

/** `state`, failing every access once `portGate` has crashed (close it through the original). */
export function gateState(state: ClientState, portGate: PortGate): ClientState {
  return gate(state, portGate, 'state');
}
