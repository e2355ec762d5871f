/** One dependency the service cannot work without; `check` rejects when it does not answer in time. */
export interface DependencyProbe {
  name: string;
  check(): Promise<void>;
}

export const DEPENDENCY_PROBES = Symbol('DEPENDENCY_PROBES');

/** The service's own conditions for readiness, beside its dependencies (optional). */
export const SERVICE_PROBES = Symbol('SERVICE_PROBES');
