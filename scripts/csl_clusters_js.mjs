#!/usr/bin/env node
// Render a document's citation clusters with citeproc-js (npm `citeproc`), the
// way a word processor plugin does: processCitationCluster for each citation in
// order, with every earlier citation as citationsPre; later calls may re-render
// earlier citations (disambiguation, positions), and the final text of each is
// what is printed.
//
// usage: node csl_clusters_js.mjs --style PATH.csl --locale-dir DIR --input clusters.json
//                                 [--format text|html] [--lang en-US]
// input:  {"items": [CSL-JSON...], "clusters": [{"citationItems": [...], "properties": {"noteIndex": n}}, ...]}
// stdout: {"version": ..., "clusters": [text, ...], "bibliography": {id: text}, "order": [ids]}
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const CSL = require('citeproc');

const args = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
if (!args.style || !args['locale-dir'] || !args.input) {
  console.error('usage: csl_clusters_js.mjs --style PATH.csl --locale-dir DIR --input clusters.json');
  process.exit(2);
}
const data = JSON.parse(readFileSync(args.input, 'utf8'));
const byId = new Map(data.items.map((it) => [String(it.id), it]));
const sys = {
  retrieveItem: (id) => byId.get(String(id)),
  retrieveLocale: (lang) => {
    const p = join(args['locale-dir'], `locales-${lang}.xml`);
    return existsSync(p) ? readFileSync(p, 'utf8') : false;
  },
};
const engine = new CSL.Engine(sys, readFileSync(args.style, 'utf8'), args.lang || undefined);
engine.setOutputFormat(args.format === 'html' ? 'html' : 'text');

const texts = [];
const pre = [];
data.clusters.forEach((cluster, n) => {
  const citation = {
    citationID: `CITATION-${n + 1}`,
    citationItems: cluster.citationItems.map((c) => ({ ...c })),
    properties: { ...(cluster.properties || {}) },
  };
  if (citation.properties.noteIndex === undefined) citation.properties.noteIndex = n + 1;
  const [, updates] = engine.processCitationCluster(citation, pre.slice(), []);
  for (const [index, text] of updates) texts[index] = text;
  pre.push([citation.citationID, citation.properties.noteIndex]);
});

const out = { version: CSL.PROCESSOR_VERSION, clusters: texts, bibliography: {}, order: [] };
const bib = engine.makeBibliography();
if (bib) {
  const [meta, entries] = bib;
  meta.entry_ids.forEach((ids, i) => {
    const id = String(Array.isArray(ids) ? ids[0] : ids);
    out.order.push(id);
    out.bibliography[id] = entries[i];
  });
}
process.stdout.write(JSON.stringify(out) + '\n');
