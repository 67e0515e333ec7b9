// The layer rule from ARCHITECTURE.md: each folder says where its code runs,
// and imports only go to the layers listed for it. A wrong import fails `npm test`.
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Layer of a file or import target, by its path relative to the repo root. */
export function layerOf(relPath) {
  const p = relPath.split(path.sep).join('/');
  for (const layer of ['src/shared', 'src/host', 'src/server', 'src/phone']) {
    if (p === layer || p.startsWith(layer + '/')) return layer;
  }
  for (const layer of ['electron', 'renderer', 'tests', 'bench', 'scripts', 'rig']) {
    if (p === layer || p.startsWith(layer + '/')) return layer;
  }
  return null;
}

/** Which of our layers each layer may import (itself always). `null` = anything. */
export const ALLOWED = {
  'src/shared': [],
  'src/host': ['src/shared'],
  'src/server': ['src/shared'],
  'src/phone': ['src/shared'],
  electron: ['src/shared', 'src/host'],
  renderer: ['src/shared', 'src/phone'],
  tests: null,
  bench: null,
  scripts: null,
  rig: null,
};

/** Layers that run in a browser or anywhere: no Node built-ins. */
const NO_NODE = new Set(['src/shared', 'src/phone', 'renderer']);
/** Packages that only work in Node; a browser-side layer importing them is a mistake. */
const NODE_ONLY_PACKAGES = ['better-sqlite3', 'fastify', '@fastify/', 'pg', '@electric-sql/pglite', '@node-rs/', 'electron', 'ws', 'jose'];

function nodeBuiltin(spec) {
  return spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'worker_threads', 'stream'].includes(spec.split('/')[0]);
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the layer table of ARCHITECTURE.md' },
    schema: [],
    messages: {
      crossLayer: "'{{from}}' may not import '{{to}}' ({{spec}}); it may import only: {{allowed}}.",
      nodeInBrowser: "'{{from}}' runs outside Node and may not import '{{spec}}'.",
    },
  },
  create(context) {
    const file = context.filename ?? context.getFilename();
    const from = layerOf(path.relative(ROOT, file));
    if (!from) return {};
    const allowed = ALLOWED[from];
    function check(node, spec) {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = path.resolve(path.dirname(file), spec);
        const to = layerOf(path.relative(ROOT, target));
        if (!to || to === from || allowed === null || allowed.includes(to)) return;
        context.report({ node, messageId: 'crossLayer', data: { from, to, spec, allowed: allowed.join(', ') || '(nothing of ours)' } });
        return;
      }
      if (NO_NODE.has(from)) {
        const pkg = spec;
        if (nodeBuiltin(pkg) || NODE_ONLY_PACKAGES.some((p) => (p.endsWith('/') ? pkg.startsWith(p) : pkg === p || pkg.startsWith(p + '/')))) {
          context.report({ node, messageId: 'nodeInBrowser', data: { from, spec } });
        }
      }
    }
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'Literal') check(n, n.arguments[0].value);
      },
    };
  },
};

export default { rules: { layers: layersRule } };
