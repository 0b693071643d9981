/**
 * IPTC's own ninjs 3.1 schema, compiled with ajv (draft 2020-12) from the path in NINJS_SCHEMA
 * (the GeoJSON schema it refers to beside it). The schema is never copied into the project:
 * without NINJS_SCHEMA the conformance tests fail and say why.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export interface NinjsValidator {
  /** The schema's errors for `document`, as "path: message" lines; empty when it is valid. */
  readonly errorsOf: (document: unknown) => string[];
}

export const ninjsValidator = (): NinjsValidator => {
  const path = process.env['NINJS_SCHEMA'];
  if (path === undefined || path === '') {
    throw new Error(
      "NINJS_SCHEMA is not set: point it at IPTC's ninjs-schema_3.1.json, with GeoJSON-schema.json beside it",
    );
  }
  // CommonJS modules: their default export sits under `default` when loaded from ESM.
  const Ajv = (Ajv2020 as unknown as { default?: typeof Ajv2020 }).default ?? Ajv2020;
  const formats = (addFormats as unknown as { default?: typeof addFormats }).default ?? addFormats;
  const ajv = new Ajv({ strict: false, allErrors: true });
  formats(ajv);
  ajv.addSchema(
    JSON.parse(readFileSync(join(dirname(path), 'GeoJSON-schema.json'), 'utf8')),
    'https://geojson.org/schema/GeoJSON.json',
  );
  const validate = ajv.compile(JSON.parse(readFileSync(path, 'utf8')));
  return {
    errorsOf: (document) =>
      validate(document)
        ? []
        : (validate.errors ?? []).map(
            (e) => `${e.instancePath || '/'}: ${e.message ?? ''} ${JSON.stringify(e.params)}`,
          ),
  };
};
