import type { SubStreamChoice } from '../../../shared/sub-streams';
import { clockTime } from './tile-badge';

/** A sub-stream that got no session when the tile switched to it; it is tried again at `until`. */
export interface SubStreamTrouble {
  subStream: string;
  /** Main's words for why (the stream is missing, refused, or waits for quota). */
  message: string;
  until: number;
}

/** How long a sub-stream that got no session is set aside before a grid tile tries it again. */
export const SUB_STREAM_RETRY_MS = 60_000;

/** The camera's sub-stream as playing it went: one that got no session lately is `invalid`, with why. */
export function subStreamTrouble(choice: SubStreamChoice, trouble: SubStreamTrouble | null, now: number): SubStreamChoice {
  if (!trouble || choice.kind !== 'sub' || choice.subStream !== trouble.subStream || now >= trouble.until) return choice;
  const message = trouble.message.replace(/\.$/, '');
  return { kind: 'invalid', from: choice.from, reason: `its sub-stream ${choice.subStream} got no session (${message}); tried again at ${clockTime(trouble.until)}` };
}

/** The tile bar's word for the stream on screen, when the camera has (or should have) a sub-stream. */
export interface StreamNote {
  text: string;
  title: string;
  /** A sub-stream was named but can't be played: said in the warning colour. */
  trouble: boolean;
}

/**
 * "sub" while the picture is the camera's sub-stream, "main" while a camera with one shows its own
 * stream (selected, maximised, replaying), "no sub-stream" with the reason when the one named can't
 * be used. Nothing for a camera without a sub-stream.
 */
export function streamNote(choice: SubStreamChoice, shownKey: string | undefined, cameraKey: string): StreamNote | null {
  switch (choice.kind) {
    case 'none':
      return null;
    case 'invalid':
      return { text: 'no sub-stream', title: `Plays the camera's own stream: ${choice.reason}.`, trouble: true };
    case 'sub':
      if (shownKey === undefined) return null;
      if (shownKey !== cameraKey) {
        return { text: 'sub', title: `Sub-stream ${choice.subStream} (lower resolution), for the grid; select or maximise the tile for the camera's own stream`, trouble: false };
      }
      return { text: 'main', title: `The camera's own stream; the grid shows its sub-stream ${choice.subStream}`, trouble: false };
  }
}
