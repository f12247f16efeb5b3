/** Messages between SoftwareHevcDecoder (page) and its worker (hevc-worker.ts). */

export type ToWorker =
  | { type: 'init'; glueUrl: string; wasmUrl: string }
  /** `description`: the hvcC record; parameter sets are fed before the next sample. */
  | { type: 'configure'; description: ArrayBuffer }
  | { type: 'decode'; data: ArrayBuffer; timestamp: number; duration: number | null; key: boolean }
  | { type: 'flush'; id: number }
  | { type: 'reset' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'frame'; frame: VideoFrame; decodeMs: number }
  | { type: 'flushed'; id: number }
  | { type: 'dequeued'; queue: number }
  | { type: 'error'; message: string };
