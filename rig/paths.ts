// Absolute paths of the rig's configuration files, for tests/support/rig.ts and benchmarks.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The rig/ directory. */
export const RIG_DIR = path.dirname(fileURLToPath(import.meta.url));
/** Kamailio registrar + proxy config (defines: see its header and rig/README.md). */
export const KAMAILIO_CFG = path.join(RIG_DIR, 'kamailio', 'kamailio.cfg');
/** sipp scenarios. */
export const SIPP_DIR = path.join(RIG_DIR, 'sipp');
/** sipp's built-in uac, fixed for a record-routing proxy. */
export const SIPP_UAC_RR = path.join(SIPP_DIR, 'uac-rr.xml');
