// SPDX-License-Identifier: Apache-2.0
// Validates CycloneDX 1.5 JSON documents against the official schema as shipped by npm's
// @cyclonedx/cyclonedx-library (res/schema/bom-1.5.SNAPSHOT.schema.json, with the SPDX and JSF
// schemas it refers to), with ajv in strict-format mode.
// Usage: NODE_PATH=DIR/node_modules node cdx-validate.cjs FILE...    exit 0: all valid
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const lib = path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json'));
const dir = path.join(lib, 'res', 'schema');
const load = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
// formats ajv-formats lacks: an IRI reference and an internationalised e-mail are accepted as
// any string (our documents carry neither)
ajv.addFormat('iri-reference', true);
ajv.addFormat('idn-email', true);
// the bom schema refers to the others by their file names, relative to its own $id
ajv.addSchema(load('spdx.SNAPSHOT.schema.json'), 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json');
ajv.addSchema(load('jsf-0.82.SNAPSHOT.schema.json'), 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json');
const validate = ajv.compile(load('bom-1.5.SNAPSHOT.schema.json'));
let bad = 0;
for (const f of process.argv.slice(2)) {
	const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
	if (validate(doc)) {
		console.log(`valid ${f}: ${(doc.components || []).length} components`);
	} else {
		bad++;
		console.log(`INVALID ${f}: ${JSON.stringify(validate.errors.slice(0, 5))}`);
	}
}
process.exit(bad ? 1 : 0);
