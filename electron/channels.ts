/** IPC channel names shared by main and preload (the preload stays free of other imports). */
export const IPC_INVOKE = 'qingyu:host:invoke';
export const IPC_EVENT = 'qingyu:host:event';
