// The fidelity scenario through the OFFICIAL JS SDK @camunda8/orchestration-cluster-api
// (npm, pinned in tools/setup.sh, installed into .tools/js-sdk).
//
//   node tests/fidelity/js_scenario.mjs <order.bpmn>
//
// FIDELITY_JS_SDK_DIR is the directory holding node_modules/@camunda8/...; the client
// reads CAMUNDA_REST_ADDRESS, CAMUNDA_AUTH_STRATEGY=NONE and CAMUNDA_SDK_VALIDATION
// from the environment. Prints one JSON object on the last line of stdout.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const sdkDir = path.resolve(process.env.FIDELITY_JS_SDK_DIR);
const require = createRequire(path.join(sdkDir, 'package.json'));
const sdk = require('@camunda8/orchestration-cluster-api');
const createCamundaClient = sdk.createCamundaClient ?? sdk.default;
const sdkVersion = JSON.parse(
  readFileSync(path.join(sdkDir, 'node_modules/@camunda8/orchestration-cluster-api/package.json'), 'utf8'),
).version;

const bpmn = process.argv[2];
const ORDERS = { 'A-1': 150, 'B-2': 50 }; // orderId -> amount: A-1 takes the high branch, B-2 the low one
const APPROVERS = { 'A-1': 'senior-clerk', 'B-2': 'clerk' }; // who is assigned each order's user task
const NOW = { consistency: { waitUpToMs: 0 } }; // the test kit has no secondary-storage lag

async function waitUntil(condition, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main() {
  const camunda = createCamundaClient();
  const result = { sdk: sdkVersion };

  const deployment = await camunda.deployResourcesFromFiles([bpmn]);
  const processDefinitionKey = deployment.processes[0].processDefinitionKey;
  result.processDefinitionId = deployment.processes[0].processDefinitionId;

  const keys = {};
  for (const [orderId, amount] of Object.entries(ORDERS)) {
    const created = await camunda.createProcessInstance({
      processDefinitionKey,
      variables: { orderId, amount },
    });
    keys[orderId] = String(created.processInstanceKey);
  }
  result.instances = keys;

  // The two branch tasks, completed by the SDK's own job worker.
  const handled = {};
  const workers = ['fidelity-high-review', 'fidelity-auto-approve'].map((jobType) =>
    camunda.createJobWorker({
      jobType,
      maxParallelJobs: 5,
      jobTimeoutMs: 30_000,
      pollIntervalMs: 20,
      jobHandler: (job) => {
        handled[job.type] = { orderId: job.variables.orderId, jobKey: String(job.jobKey) };
        return job.complete({ reviewedBy: job.type });
      },
    }),
  );
  const waitingAtPaid = async () => {
    const found = await camunda.searchElementInstances(
      { filter: { elementId: 'paid', state: 'ACTIVE' } },
      NOW,
    );
    return found.items.length === 2;
  };
  await waitUntil(waitingAtPaid, 'both instances waiting at the message catch');
  result.workerHandled = handled;
  for (const worker of workers) worker.stop(); // cancels the open long poll

  const active = await camunda.searchProcessInstances(
    { filter: { processDefinitionId: 'fidelity-order', state: 'ACTIVE' } },
    NOW,
  );
  result.activeSearch = active.items.map((i) => String(i.processInstanceKey)).sort();
  result.activeTotal = active.page.totalItems;

  await camunda.publishMessage({
    name: 'payment-received',
    correlationKey: 'A-1',
    timeToLive: 0,
    variables: { paidBy: 'publish' },
  });
  const correlated = await camunda.correlateMessage({
    name: 'payment-received',
    correlationKey: 'B-2',
    variables: { paidBy: 'correlate' },
  });
  result.correlatedInstance = String(correlated.processInstanceKey);

  // The user task: found by search, assigned, read back, completed with variables.
  const orderOf = Object.fromEntries(Object.entries(keys).map(([orderId, key]) => [key, orderId]));
  const openTasks = async () =>
    (
      await camunda.searchUserTasks(
        {
          filter: {
            processDefinitionId: 'fidelity-order',
            elementId: 'approve',
            candidateGroup: 'shipping',
            state: 'CREATED',
          },
        },
        NOW,
      )
    ).items;
  await waitUntil(async () => (await openTasks()).length === 2, 'both instances waiting at the user task');
  const userTasks = {};
  for (const task of await openTasks()) {
    const orderId = orderOf[String(task.processInstanceKey)];
    const { userTaskKey } = task;
    await camunda.assignUserTask({ userTaskKey, assignee: APPROVERS[orderId], allowOverride: false });
    const assigned = await camunda.getUserTask({ userTaskKey }, NOW);
    const mine = await camunda.searchUserTasks({ filter: { assignee: APPROVERS[orderId] } }, NOW);
    await camunda.completeUserTask({ userTaskKey, variables: { approvedBy: APPROVERS[orderId] } });
    const done = await camunda.getUserTask({ userTaskKey }, NOW);
    userTasks[orderId] = {
      name: task.name,
      candidateGroups: task.candidateGroups,
      assignee: assigned.assignee,
      assignedSearch:
        mine.items.length === 1 && String(mine.items[0].userTaskKey) === String(userTaskKey),
      state: done.state,
    };
  }
  result.userTasks = userTasks;

  // The last task through the job API itself: activate, then complete.
  const activated = await camunda.activateJobs({
    type: 'fidelity-ship',
    timeout: 30_000,
    maxJobsToActivate: 5,
    requestTimeout: 2_000,
  });
  const shipped = {};
  for (const job of activated.jobs) {
    shipped[job.variables.orderId] = {
      paidBy: job.variables.paidBy ?? null,
      reviewedBy: job.variables.reviewedBy ?? null,
      approvedBy: job.variables.approvedBy ?? null,
    };
    await camunda.completeJob({ jobKey: job.jobKey, variables: { shipped: true } });
  }
  result.shipped = shipped;

  const completed = await camunda.searchProcessInstances(
    { filter: { processDefinitionId: 'fidelity-order', state: 'COMPLETED' } },
    NOW,
  );
  result.completedSearch = completed.items.map((i) => String(i.processInstanceKey)).sort();
  result.visited = {};
  for (const [orderId, key] of Object.entries(keys)) {
    const found = await camunda.searchElementInstances({ filter: { processInstanceKey: key } }, NOW);
    result.visited[orderId] = found.items.map((i) => i.elementId);
  }
  camunda.stopAllWorkers?.();
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error?.stack ?? error);
  if (error?.response) console.error(JSON.stringify(error.response));
  process.exit(1);
});
