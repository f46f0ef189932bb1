// Groups on the local collector through the real @aws-sdk/client-xray: its paths (GetGroups is POST /Groups),
// shapes and InvalidRequestException, with filter expressions checked by the read API's parser.
import {
  CreateGroupCommand, DeleteGroupCommand, GetGroupCommand, GetGroupsCommand, InvalidRequestException, UpdateGroupCommand, type XRayClient,
} from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { startTestCollector, xrayClient } from './collectorHarness';

async function refused(send: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(send, (error: unknown) => {
    assert.ok(error instanceof InvalidRequestException, String(error));
    assert.match(error.message, message);
    return true;
  });
}

suite('collector: groups through @aws-sdk/client-xray', () => {
  let collector: LocalCollector;
  let client: XRayClient;

  setup(async () => {
    collector = await startTestCollector();
    client = xrayClient(collector);
  });

  teardown(async () => {
    client.destroy();
    await collector.close();
  });

  test('create, get (by name or ARN), list with Default first, update and delete', async () => {
    const before = await client.send(new GetGroupsCommand({}));
    assert.deepEqual(before.Groups?.map((g) => [g.GroupName, g.FilterExpression]), [['Default', undefined]]);

    const created = await client.send(new CreateGroupCommand({ GroupName: 'slow-orders', FilterExpression: 'service("orders") AND responsetime > 1' }));
    const arn = created.Group?.GroupARN ?? '';
    assert.match(arn, /^arn:aws:xray:local:000000000000:group\/slow-orders\/\w+$/);
    assert.deepEqual(created.Group?.InsightsConfiguration, { InsightsEnabled: false, NotificationsEnabled: false });
    await client.send(new CreateGroupCommand({ GroupName: 'errors', FilterExpression: 'error = true OR fault = true', InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: true } }));

    assert.equal((await client.send(new GetGroupCommand({ GroupARN: arn }))).Group?.GroupName, 'slow-orders');
    assert.equal((await client.send(new GetGroupCommand({ GroupName: 'errors' }))).Group?.InsightsConfiguration?.NotificationsEnabled, true);
    const listed = await client.send(new GetGroupsCommand({}));
    assert.deepEqual(listed.Groups?.map((g) => g.GroupName), ['Default', 'errors', 'slow-orders']);

    const updated = await client.send(new UpdateGroupCommand({ GroupName: 'slow-orders', FilterExpression: 'responsetime > 2' }));
    assert.equal(updated.Group?.FilterExpression, 'responsetime > 2');
    assert.equal(updated.Group?.GroupARN, arn);
    const insights = await client.send(new UpdateGroupCommand({ GroupName: 'Default', InsightsConfiguration: { InsightsEnabled: true } }));
    assert.deepEqual(insights.Group?.InsightsConfiguration, { InsightsEnabled: true, NotificationsEnabled: false });

    await client.send(new DeleteGroupCommand({ GroupARN: arn }));
    assert.deepEqual((await client.send(new GetGroupsCommand({}))).Groups?.map((g) => g.GroupName), ['Default', 'errors']);
    await refused(client.send(new GetGroupCommand({ GroupName: 'slow-orders' })), /GroupName: no group slow-orders/);
  });

  test('what X-Ray refuses: names, duplicates, Default, a filter the parser rejects, notifications without insights', async () => {
    await client.send(new CreateGroupCommand({ GroupName: 'g'.repeat(32) }));
    await refused(client.send(new CreateGroupCommand({ GroupName: 'g'.repeat(33) })), /GroupName: 1 to 32 characters/);
    await refused(client.send(new CreateGroupCommand({ GroupName: '' })), /GroupName/);
    await refused(client.send(new CreateGroupCommand({ GroupName: 'g'.repeat(32) })), /already exists/);
    await refused(client.send(new CreateGroupCommand({ GroupName: 'Default' })), /already exists/);
    await refused(client.send(new CreateGroupCommand({ GroupName: 'bad', FilterExpression: 'responsetime >' })), /^FilterExpression: /);
    await refused(client.send(new CreateGroupCommand({ GroupName: 'bad', FilterExpression: 'service("a"' })), /^FilterExpression: /);
    await refused(client.send(new CreateGroupCommand({ GroupName: 'bad', InsightsConfiguration: { NotificationsEnabled: true } })), /NotificationsEnabled: notifications need InsightsEnabled/);
    await refused(client.send(new UpdateGroupCommand({ GroupName: 'g'.repeat(32), FilterExpression: 'http.status = ' })), /^FilterExpression: /);
    await refused(client.send(new UpdateGroupCommand({ GroupName: 'Default', FilterExpression: 'ok = true' })), /Default group has no filter/);
    await refused(client.send(new DeleteGroupCommand({ GroupName: 'Default' })), /Default group cannot be deleted/);
    await refused(client.send(new DeleteGroupCommand({ GroupName: 'nope' })), /no group nope/);
    await refused(client.send(new DeleteGroupCommand({})), /a group name or ARN is required/);
    // Nothing refused was kept.
    assert.deepEqual((await client.send(new GetGroupsCommand({}))).Groups?.map((g) => g.GroupName), ['Default', 'g'.repeat(32)]);
  });
});
