/**
 * Which of a plan's operations may run at the same time: no two that touch one path or a path
 * and something under it (a folder's move and a move out of that folder, a folder created here
 * and a download into it). The rest wait for the next round, which plans them again against the
 * trees the first ones left. Shorter paths go first, so parents come before their contents.
 */
import type { Operation } from '../plan/index.js';

function pathsOf(operation: Operation): string[] {
  if ('from' in operation) return [operation.from, operation.to];
  if ('path' in operation) return [operation.path];
  return [];
}

function ancestorsOf(path: string): string[] {
  const ancestors: string[] = [];
  for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
    ancestors.push(path.slice(0, end));
  }
  return ancestors;
}

/** The operations to run now; O(operations × depth). */
export function independentOperations(operations: readonly Operation[]): Operation[] {
  // By the depth of the path an operation starts from (a move's source): parents first.
  const depth = (operation: Operation) => (pathsOf(operation)[0] ?? '').split('/').length;
  const sorted = [...operations].sort((a, b) => depth(a) - depth(b));
  const taken = new Set<string>();
  const takenAncestors = new Set<string>();
  const chosen: Operation[] = [];
  for (const operation of sorted) {
    const paths = pathsOf(operation);
    const clashes = paths.some(
      (p) =>
        taken.has(p) ||
        takenAncestors.has(p) ||
        ancestorsOf(p).some((ancestor) => taken.has(ancestor)),
    );
    if (clashes) continue;
    chosen.push(operation);
    for (const p of paths) {
      taken.add(p);
      for (const ancestor of ancestorsOf(p)) takenAncestors.add(ancestor);
    }
  }
  return chosen;
}
