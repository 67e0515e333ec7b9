import type { kbApi } from '../../shared/host-api-kb';
import type { AreaHandlers, HostContext } from '../context';

/** The knowledge-base area of the host API (see src/shared/host-api-kb.ts). */
export function kbHandlers(_ctx: HostContext): AreaHandlers<typeof kbApi> {
  return {};
}
