import type { Migration } from '../migrate';
import { m0001_core } from './0001-core';
import { m0002_knowledge_base } from './0002-knowledge-base';
import { m0003_phone } from './0003-phone';
import { m0004_tickets } from './0004-tickets';
import { m0005_kb_usage } from './0005-kb-usage';
import { m0006_sync } from './0006-sync';
import { m0007_kb_snapshot } from './0007-kb-snapshot';

/** Every console migration, in order. Add a file per change; never edit a released one. */
export const migrations: Migration[] = [m0001_core, m0002_knowledge_base, m0003_phone, m0004_tickets, m0005_kb_usage, m0006_sync, m0007_kb_snapshot];
