/**
 * Writes libs/events/asyncapi.yaml from the event schemas (see feedAsyncApiDocument); a unit test fails
 * when the file and the code differ.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultFeedYaml } from './asyncapi-file';

// Run from dist/scripts/events/: the file goes into the source tree.
writeFileSync(join(__dirname, '..', '..', '..', 'libs', 'events', 'asyncapi.yaml'), defaultFeedYaml());
console.log('wrote libs/events/asyncapi.yaml');
