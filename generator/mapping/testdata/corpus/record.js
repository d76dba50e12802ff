// Records what the reference implementation, jsonata-js, returns for every
// expression of expressions.json on every input of inputs/, into
// jsonata-js.json. The differential test compares the compiled code with
// these recorded results (and with jsonata-go, run live).
//
// Run after changing the corpus (Node.js and npm needed, nothing else):
//
//	cd generator/mapping/testdata/corpus
//	npm install --no-save jsonata@2.2.2 && node record.js
const fs = require('fs');
const path = require('path');
const jsonata = require('jsonata');

(async () => {
  const exprs = JSON.parse(fs.readFileSync(path.join(__dirname, 'expressions.json'), 'utf8'));
  const dir = path.join(__dirname, 'inputs');
  const inputs = fs.readdirSync(dir).filter(f => f.endsWith('.json')).sort();
  const out = {};
  for (const e of exprs) {
    for (const f of inputs) {
      const data = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      const key = e.name + '/' + f.replace(/\.json$/, '');
      try {
        const r = await jsonata(e.expr).evaluate(data);
        out[key] = r === undefined ? { undefined: true } : { value: r };
      } catch (err) {
        out[key] = { error: err.code || String(err) };
      }
    }
  }
  const version = require('jsonata/package.json').version;
  fs.writeFileSync(path.join(__dirname, 'jsonata-js.json'),
    JSON.stringify({ jsonata_js_version: version, results: out }, null, 1) + '\n');
})();
