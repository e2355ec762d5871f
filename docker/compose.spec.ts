import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import draft07MetaSchema from 'ajv/dist/refs/json-schema-draft-07.json';
import { parse } from 'yaml';
import { projectRoot } from '../libs/platform/src/lifecycle/project-root';
import { loadLedgerConfig } from '../apps/ledger/src/config';
import { loadProjectorConfig } from '../apps/projector/src/config';

/**
 * No Docker engine runs this file in CI, so these are the checks it gets: the Compose Specification's own JSON
 * Schema (as the dclint package ships it, kept current from the specification's repository), then what the
 * stack needs to work at all.
 */
const root = projectRoot(__dirname);
const compose = parse(readFileSync(join(root, 'docker/compose.yaml'), 'utf8'), { merge: true }) as Compose;

interface Service {
  image?: string;
  build?: unknown;
  pull_policy?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
}

/** `${NAME:-default}` as Compose reads it when NAME is unset. */
const withDefaults = (value: string | number): string => String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const environmentOf = (service: Service): Record<string, string> => Object.fromEntries(Object.entries(service.environment ?? {}).map(([name, value]) => [name, withDefaults(value)]));

/** The dist/ folders the Dockerfile copies into the image. */
const copiedIntoImage = [...readFileSync(join(root, 'docker/Dockerfile'), 'utf8').matchAll(/^COPY --from=build \/app\/(dist\/\S+) /gm)].map((match) => match[1]!);

describe('docker/compose.yaml', () => {
  const { ledger, projector, migrate, kafka } = compose.services;

  it('is valid under the Compose Specification', () => {
    const schemaPath = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
    // The schema is draft-07 but names its meta-schema by an https address, which Ajv knows by the http one.
    // Its own style (union types, additionalProperties without a type) is what Ajv's strict mode refuses.
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addMetaSchema({ ...draft07MetaSchema, $id: schema.$schema });
    const validate = ajv.compile(schema);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('gives the ledger an admin key, from LEDGER_ADMIN_KEY or a local default both apps accept', () => {
    expect(ledger!.environment!.LEDGER_ADMIN_KEY).toMatch(/^\$\{LEDGER_ADMIN_KEY:-.{16,}\}$/);
    expect(loadLedgerConfig(environmentOf(ledger!)).adminKey).toMatch(/.{16,}/);
    expect(() => loadProjectorConfig(environmentOf(projector!))).not.toThrow();
  });

  it("keeps Kafka's log on its volume", () => {
    const logDir = String(kafka!.environment!.KAFKA_LOG_DIRS);
    expect(kafka!.volumes!.map((volume) => volume.split(':')[1])).toContain(logDir);
  });

  it('builds one image, which the migrations and both apps run', () => {
    const builders = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
    expect(builders.map(([name]) => name)).toEqual(['migrate']);
    for (const service of [ledger!, projector!]) {
      expect(service.image).toBe(migrate!.image);
      expect(service.pull_policy).toBe('never');
    }
  });

  it.each(['migrate', 'ledger', 'projector'])('runs in %s a file the image holds', (name) => {
    const entry = compose.services[name]!.command!.find((part) => part.startsWith('dist/'))!;
    expect(existsSync(join(root, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    expect(copiedIntoImage.some((folder) => entry.startsWith(`${folder}/`))).toBe(true);
  });

  it.each(['ledger', 'projector'])('restarts %s, checks it is ready, and starts it after the migrations', (name) => {
    const service = compose.services[name]!;
    expect(service.restart).toBe('unless-stopped');
    expect(service.healthcheck!.test.join(' ')).toContain("'/health/ready'");
    expect(service.environment!.HTTP_PORT).toBe(name === 'ledger' ? 8080 : 8081);
    expect(service.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' }, kafka: { condition: 'service_healthy' } });
  });
});
