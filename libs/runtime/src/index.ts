export {
  initBackend,
  parseBackendPreference,
  setCpuAccelerator,
  BACKEND_ORDER,
  BACKEND_ENV,
  BACKEND_HELP,
} from './lib/backend.js';
export type {
  BackendChoice,
  BackendKind,
  BackendPreference,
  InitBackendOptions,
} from './lib/backend.js';
