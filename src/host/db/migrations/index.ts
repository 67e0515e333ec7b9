import type { Migration } from '../migrate';
import { m0001_core } from './0001-core';

/** Every console migration, in order. Add a file per change; never edit a released one. */
export const migrations: Migration[] = [m0001_core];
