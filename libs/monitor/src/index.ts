export { DriverMonitor, monitorSequence, compareEvents } from './lib/driver-monitor.js';
export type { MonitorFrame, MonitorState, MonitorUpdate, MonitorSequenceResult } from './lib/driver-monitor.js';
export { DEFAULT_MONITOR_CONFIG, resolveMonitorConfig, MONITOR_ROLES, EVENT_KINDS } from './lib/monitor-config.js';
export type { MonitorConfig, MonitorOptions, MonitorRole, EventKind, RunSignalConfig } from './lib/monitor-config.js';
export { observeFrame, roleClassIds } from './lib/observe-frame.js';
export type { FrameObservation, Evidence } from './lib/observe-frame.js';
export type { MonitorEvent, ActiveEvent } from './lib/run-tracker.js';
