/** Frames the element has decoded so far; the one number that proves a picture is moving. */
export function decodedFrames(video: HTMLVideoElement): number {
  return video.getVideoPlaybackQuality().totalVideoFrames;
}

/**
 * Resolves true once `count` frames have been presented on `video` (requestVideoFrameCallback), or
 * false after `timeoutMs` or when `signal` aborts. Presented means composited: safe to show the element.
 */
export function waitForPresentedFrames(video: HTMLVideoElement, count: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = 0;
    let handle = 0;
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      video.cancelVideoFrameCallback(handle);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = (): void => finish(false);
    const onFrame = (): void => {
      seen += 1;
      if (seen >= count) finish(true);
      else handle = video.requestVideoFrameCallback(onFrame);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) return finish(false);
    handle = video.requestVideoFrameCallback(onFrame);
  });
}

/** Two animation frames: the compositor has shown whatever the DOM said before this. */
export function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}
