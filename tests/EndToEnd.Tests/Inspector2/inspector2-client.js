// Drives the platform's Inspector2 API with the real AWS SDK for JavaScript v3 (@aws-sdk/client-inspector2) and prints every
// call's response or error as JSON; the walk-through's finding-details step makes the assertions.
// Inputs (environment): SDK_DIR, ENDPOINT, REGION, ACCESS_KEY_ID, SECRET_ACCESS_KEY, FINDING_ARNS (comma-separated),
// UNKNOWN_ARN (a well-formed finding ARN nobody holds).
'use strict';
const path = require('path');
const inspector2 = require(path.join(process.env.SDK_DIR, 'node_modules', '@aws-sdk', 'client-inspector2'));

const env = (name) => { const v = process.env[name]; if (!v) throw new Error(`${name} is not set`); return v; };
const client = new inspector2.Inspector2Client({
  endpoint: env('ENDPOINT'), region: env('REGION'), maxAttempts: 1,
  credentials: { accessKeyId: env('ACCESS_KEY_ID'), secretAccessKey: env('SECRET_ACCESS_KEY') },
});

const results = {};
async function step(name, action) {
  try {
    const output = await action();
    if (output && output.$metadata) delete output.$metadata;
    results[name] = { ok: output === undefined ? null : output };
  } catch (e) {
    results[name] = { error: { name: e.name, message: e.message, status: e.$metadata ? e.$metadata.httpStatusCode : null } };
  }
}

(async () => {
  const arns = env('FINDING_ARNS').split(',');
  await step('details', () => client.send(new inspector2.BatchGetFindingDetailsCommand({ findingArns: [...arns, env('UNKNOWN_ARN'), 'not-an-arn'] })));
  await step('tooMany', () => client.send(new inspector2.BatchGetFindingDetailsCommand({ findingArns: Array(11).fill(arns[0]) })));
  await step('listed', () => client.send(new inspector2.ListFindingsCommand({
    maxResults: 1,
    filterCriteria: { findingArn: [{ comparison: 'EQUALS', value: arns[0] }], firstObservedAt: [{ startInclusive: new Date(0) }] },
    sortCriteria: { field: 'INSPECTOR_SCORE', sortOrder: 'DESC' },
  })));
  await step('listedById', () => client.send(new inspector2.ListFindingsCommand({
    filterCriteria: { findingArn: [{ comparison: 'EQUALS', value: arns[0] }], firstObservedAt: [{ startInclusive: new Date(0) }] },
    sortCriteria: { field: 'AWS_ACCOUNT_ID', sortOrder: 'ASC' },
  })));
  await step('noneFilter', () => client.send(new inspector2.CreateFilterCommand({
    action: 'NONE', name: 'saved-view', filterCriteria: { findingArn: [{ comparison: 'EQUALS', value: arns[0] }] }, tags: { team: 'walk' },
  })));
  await step('filters', () => client.send(new inspector2.ListFiltersCommand({ action: 'NONE' })));
  await step('afterNone', () => client.send(new inspector2.ListFindingsCommand({ filterCriteria: { findingStatus: [{ comparison: 'EQUALS', value: 'SUPPRESSED' }] } })));
  if (results.noneFilter.ok) await step('deleteNone', () => client.send(new inspector2.DeleteFilterCommand({ arn: results.noneFilter.ok.arn })));
  await step('deleteUnknown', () => client.send(new inspector2.DeleteFilterCommand({ arn: env('UNKNOWN_FILTER_ARN') })));
  process.stdout.write(JSON.stringify(results));
})().catch((e) => { console.error(e); process.exit(1); });
