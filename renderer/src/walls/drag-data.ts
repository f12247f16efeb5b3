import { StreamRefSchema, type StreamRef } from '../../../shared/model';

/** Drag payload types: a camera from the stream picker, or a tile being moved on the wall. */
export const STREAM_DRAG_TYPE = 'application/x-kvs-wall-stream';
export const TILE_DRAG_TYPE = 'application/x-kvs-wall-tile';

export function writeDraggedStream(data: DataTransfer, stream: StreamRef): void {
  data.setData(STREAM_DRAG_TYPE, JSON.stringify(stream));
  data.effectAllowed = 'copy';
}

export function readDraggedStream(data: DataTransfer): StreamRef | undefined {
  const raw = data.getData(STREAM_DRAG_TYPE);
  if (!raw) return undefined;
  try {
    const parsed = StreamRefSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function readDraggedTile(data: DataTransfer): number | undefined {
  const raw = data.getData(TILE_DRAG_TYPE);
  const cell = raw === '' ? NaN : Number(raw);
  return Number.isInteger(cell) && cell >= 0 && cell < 64 ? cell : undefined;
}
