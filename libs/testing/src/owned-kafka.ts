import { randomBytes } from 'node:crypto';
import { start, stop, wipe } from '../../../scripts/kafka-local/kafka-local';

/**
 * A Kafka broker owned by one test file (the project's kafka-local script), so a test can stop and
 * restart its broker without disturbing other test files. It keeps its address and data across restarts,
 * as a real broker coming back would.
 */
export class OwnedKafka {
  private constructor(
    readonly instance: string,
    readonly brokers: string,
  ) {}

  static async create(): Promise<OwnedKafka> {
    const instance = `owned-${randomBytes(4).toString('hex')}`;
    const state = await start({ instance, port: 0 });
    return new OwnedKafka(instance, state.brokers);
  }

  stop(): Promise<void> {
    return stop(this.instance);
  }

  async start(): Promise<void> {
    await start({ instance: this.instance, port: Number(this.brokers.split(':')[1]) });
  }

  destroy(): Promise<void> {
    return wipe(this.instance);
  }
}
