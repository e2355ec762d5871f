import { StickyWriteForwarder } from './sticky-write-forwarder';

const value = (group: string) => ({ value: true, group_name: group, secondary_exposures: [], time: null });

function recorded(order: 'in-order' | 'saves-before-deletes') {
  const sent: string[] = [];
  const forwarder = new StickyWriteForwarder(
    { save: async (key, config, written) => sent.push(`save ${key} ${config} ${written.group_name}`), delete: async (key, config) => sent.push(`delete ${key} ${config}`) },
    order,
    (error) => {
      throw error;
    },
  );
  return { sent, forwarder };
}

describe('forwarding the writes Statsig SDKs hand over', () => {
  it('drops a delete that arrives in the same turn as a save of the same value when the binding delivers saves first', async () => {
    const { sent, forwarder } = recorded('saves-before-deletes');
    forwarder.save('u:userID', 'exp', value('Control'));
    forwarder.save('v:userID', 'exp', value('Test'));
    forwarder.delete('u:userID', 'exp');
    forwarder.delete('v:userID', 'other');
    await forwarder.settled();
    expect(sent).toEqual(['save u:userID exp Control', 'save v:userID exp Test', 'delete v:userID other']);
  });

  it('forwards the writes of an SDK that calls in order in that order, without repeats', async () => {
    const { sent, forwarder } = recorded('in-order');
    forwarder.delete('u:userID', 'exp');
    forwarder.delete('u:userID', 'exp');
    forwarder.save('u:userID', 'exp', value('Control'));
    forwarder.save('u:userID', 'exp', value('Control'));
    await forwarder.settled();
    expect(sent).toEqual(['delete u:userID exp', 'save u:userID exp Control']);
  });

  it('keeps the order of one value across turns: a later turn waits for the earlier one', async () => {
    const { sent, forwarder } = recorded('saves-before-deletes');
    forwarder.save('u:userID', 'exp', value('Control'));
    await new Promise((resolve) => setImmediate(resolve));
    forwarder.delete('u:userID', 'exp');
    await forwarder.settled();
    expect(sent).toEqual(['save u:userID exp Control', 'delete u:userID exp']);
  });
});
