/** One progress report: `done` of `total` units of `phase` (e.g. 'scan', 'write train'). Apps draw the bars. */
export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
}

/** Called often (once per unit of work): keep it cheap. */
export type ProgressCallback = (event: ProgressEvent) => void;
