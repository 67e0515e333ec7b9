import type { HostErrorCode } from '../shared/host-api';

/** An error the operator can read: `message` is zh-CN, `code` is for code. */
export class HostFailure extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
    /** Messages by form field path, shown at the field. */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HostFailure';
  }
}
