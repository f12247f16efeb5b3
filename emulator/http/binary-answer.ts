/** An operation whose answer is a payload rather than JSON (GetClip's MP4), sent with its Content-Type. */
export class BinaryAnswer {
  constructor(
    readonly contentType: string,
    readonly body: Uint8Array,
  ) {}
}
